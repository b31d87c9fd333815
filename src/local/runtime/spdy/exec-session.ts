// pods/exec (and pods/attach) over SPDY/3.1 (kubectl ≤ 1.29, and newer ones with
// KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false), the kubelet's remotecommand server side: the client
// opens one stream per channel (header `streamType`: error, stdin, stdout, stderr, resize), the
// server waits for all it expects, runs the command, closes stdout/stderr when the output is
// drained, then writes the exit status on the error stream (a Status object on
// v4.channel.k8s.io, the plain error text before) and closes it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { badRequest } from '../../store/api-error.js';
import { exitStatus, startExecProcess, type ExecRequest, type ExecTarget } from '../exec-handler.js';
import { killGroup } from '../processes.js';
import type { LogLine, LogWriter } from '../log-files.js';
import type { SpdyConnection, SpdyStream } from './connection.js';
import { acceptSpdy, negotiate } from './upgrade.js';

/** What the kubelet accepts over SPDY, newest first. */
export const SPDY_EXEC_PROTOCOLS = [
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
];

/** How long the client has to open every stream it announced (the kubelet's default). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

type Streams = Partial<Record<'error' | 'stdin' | 'stdout' | 'stderr' | 'resize', SpdyStream>>;

function expectedStreams(request: ExecRequest, protocol: string): string[] {
  const out = ['error'];
  if (request.stdin) out.push('stdin');
  if (request.stdout) out.push('stdout');
  if (request.stderr && !request.tty) out.push('stderr');
  if (request.tty && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io' && protocol !== '')
    out.push('resize');
  return out;
}

/** Negotiates (throws the kubelet's 403 when no protocol matches) before anything is written. */
export function spdyExecProtocol(req: IncomingMessage): string {
  return negotiate(req, SPDY_EXEC_PROTOCOLS);
}

export function serveSpdyExec(
  socket: Duplex,
  head: Buffer,
  protocol: string,
  target: ExecTarget,
  request: ExecRequest,
  track: (pid: number, done: Promise<unknown>) => void,
): SpdyConnection {
  return awaitStreams(socket, head, protocol, request, (conn, streams) =>
    run(conn, streams, protocol, target, request, track),
  );
}

/**
 * pods/attach over SPDY: the container's output from now on (its log lines as they are
 * written) until the container instance ends, then a Success status. The container's own
 * stdin is not connected (containers here run without one), so input is read and dropped.
 */
export function serveSpdyAttach(
  socket: Duplex,
  head: Buffer,
  protocol: string,
  logs: LogWriter,
  request: ExecRequest,
): SpdyConnection {
  if (!request.stdout && !request.stderr && !request.stdin)
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  // Output counts from the moment of attaching, not from when the client has opened its
  // streams: lines written meanwhile are kept and sent first.
  const early: LogLine[] = [];
  let send: ((line: LogLine) => void) | undefined;
  let ended = logs.closed;
  let onEnd: (() => void) | undefined;
  const onLine = (line: LogLine) => (send ? send(line) : early.push(line));
  const onClose = () => {
    ended = true;
    onEnd?.();
  };
  if (!ended) {
    logs.on('line', onLine);
    logs.once('close', onClose);
  }
  const conn = awaitStreams(socket, head, protocol, request, (c, streams) => {
    send = (line) => {
      const target = line.stream === 'stderr' && !request.tty ? streams.stderr : streams.stdout;
      target?.write(`${line.text}\n`);
    };
    for (const line of early.splice(0)) send(line);
    streams.stdin?.on('data', () => undefined);
    streams.resize?.on('data', () => undefined);
    onEnd = () => {
      logs.off('line', onLine);
      streams.stdout?.end();
      streams.stderr?.end();
      const status = exitStatus(protocol || 'channel.k8s.io', 0);
      if (status !== undefined) streams.error?.write(status);
      streams.error?.end();
      setTimeout(() => c.close(), 5_000).unref();
    };
    if (ended) onEnd();
  });
  conn.on('close', () => {
    logs.off('line', onLine);
    logs.off('close', onClose);
  });
  return conn;
}

function awaitStreams(
  socket: Duplex,
  head: Buffer,
  protocol: string,
  request: ExecRequest,
  ready: (conn: SpdyConnection, streams: Streams) => void,
): SpdyConnection {
  if (!request.stdout && !request.stderr && !request.stdin)
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const conn = acceptSpdy(socket, head, protocol);
  const expected = expectedStreams(request, protocol);
  const streams: Streams = {};
  let started = false;
  const timer = setTimeout(() => {
    if (!started) conn.close();
  }, STREAM_CREATION_TIMEOUT_MS);
  conn.on('stream', (stream) => {
    const type = stream.headers.streamtype as keyof Streams;
    void stream.reply();
    if (!expected.includes(type) || streams[type]) return;
    streams[type] = stream;
    if (!started && expected.every((t) => streams[t as keyof Streams])) {
      started = true;
      clearTimeout(timer);
      ready(conn, streams);
    }
  });
  conn.on('close', () => clearTimeout(timer));
  return conn;
}

function run(
  conn: SpdyConnection,
  streams: Streams,
  protocol: string,
  target: ExecTarget,
  request: ExecRequest,
  track: (pid: number, done: Promise<unknown>) => void,
): void {
  const { child, exited } = startExecProcess(target, request, track);
  const out = streams.stdout;
  const err = request.tty ? streams.stdout : streams.stderr;
  if (out) child.stdout?.on('data', (c: Buffer) => out.write(c));
  else child.stdout?.resume();
  if (err) child.stderr?.on('data', (c: Buffer) => err.write(c));
  else child.stderr?.resume();
  child.stdin?.on('error', () => undefined); // the command may exit without reading its input
  streams.stdin?.on('data', (c: Buffer) => child.stdin?.write(c));
  streams.stdin?.on('end', () => child.stdin?.end());
  // Resize messages are read and ignored: there is no terminal to resize.
  streams.resize?.on('data', () => undefined);
  conn.on('close', () => killGroup(child.pid, 'SIGKILL'));
  void exited.then((exit) => {
    streams.stdout?.end();
    streams.stderr?.end();
    const status = exitStatus(protocol || 'channel.k8s.io', exit.exitCode, exit.error);
    if (status !== undefined) streams.error?.write(status);
    streams.error?.end();
    // The client closes the connection once it has read everything; make sure it goes.
    setTimeout(() => conn.close(), 5_000).unref();
  });
}
