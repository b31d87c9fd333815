// pods/portforward, the kubelet's portforward.k8s.io protocol: over SPDY/3.1 (every kubectl),
// or over a WebSocket carrying the same SPDY frames (`SPDY/3.1+portforward.k8s.io`, kubectl ≥
// 1.31). Each forwarded connection is a pair of streams with the same `requestID`: `error`
// (the server writes a message there when it cannot connect) and `data`, piped to a TCP
// connection to the pod's address and the stream's `port`.
import { connect } from 'node:net';
import type { SpdyConnection, SpdyStream } from './connection.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const PORT_FORWARD_WEBSOCKET_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

export interface PortForwardTarget {
  podName: string;
  podUid: string;
  podIP: string;
}

export function servePortForward(conn: SpdyConnection, target: PortForwardTarget): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  conn.on('stream', (stream) => {
    void stream.reply();
    const id = stream.headers.requestid ?? '';
    const pair = pairs.get(id) ?? {};
    const type = stream.headers.streamtype;
    if (type === 'error') pair.error = stream;
    else if (type === 'data') pair.data = stream;
    else return;
    pairs.set(id, pair);
    if (pair.error && pair.data) {
      pairs.delete(id);
      forward(pair.error, pair.data, stream.headers.port ?? '', target);
    }
  });
}

function forward(error: SpdyStream, data: SpdyStream, portText: string, target: PortForwardTarget): void {
  const port = Number(portText);
  const fail = (why: string) => {
    error.write(`error forwarding port ${portText} to pod ${target.podName}, uid ${target.podUid}: ${why}`);
    error.end();
    data.end();
  };
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    fail(`invalid port "${portText}"`);
    return;
  }
  const socket = connect({ host: target.podIP, port });
  let connected = false;
  socket.on('connect', () => {
    connected = true;
  });
  socket.on('data', (c: Buffer) => data.write(c));
  socket.on('end', () => {
    data.end();
    error.end();
  });
  socket.on('error', (err) => {
    if (!connected) fail(`failed to connect to ${target.podIP}:${port}: ${err.message}`);
    else {
      data.end();
      error.end();
    }
  });
  data.on('data', (c: Buffer) => socket.write(c));
  data.on('end', () => socket.end());
}
