// The SPDY/3.1 upgrade handshake of pods/exec, pods/attach and pods/portforward, as the kubelet
// answers it (apimachinery httpstream.Handshake + spdy.Upgrader): the client lists the
// subprotocols it speaks in X-Stream-Protocol-Version headers, the server picks its first
// supported one, answers 101 and from then on the socket carries SPDY frames.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { statusError, type ApiError } from '../../store/api-error.js';
import { SpdyConnection } from './connection.js';

export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return String(req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1';
}

/** The client's offered protocols, in its order (repeated headers arrive comma-joined). */
function offered(req: IncomingMessage): string[] {
  const raw = req.headers['x-stream-protocol-version'];
  const values = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** httpstream.Handshake: the first server protocol the client offers; '' when the client offers none. */
export function negotiate(req: IncomingMessage, supported: string[]): string {
  const client = offered(req);
  if (client.length === 0) return '';
  const chosen = supported.find((p) => client.includes(p));
  if (chosen) return chosen;
  throw handshakeError(client, supported);
}

function handshakeError(client: string[], server: string[]): ApiError {
  return statusError(
    403,
    'Forbidden',
    `unable to upgrade: unable to negotiate protocol: client supports [${client.join(' ')}], server accepts [${server.join(' ')}]`,
  );
}

/** Completes the upgrade (101) and returns the SPDY connection on the socket. */
export function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdyConnection {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1'];
  if (protocol) lines.push(`X-Stream-Protocol-Version: ${protocol}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const conn = new SpdyConnection(socket);
  if (head.length) socket.unshift(head);
  return conn;
}
