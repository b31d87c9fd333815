// GET …/pods/{name}/exec over WebSocket, speaking the Kubernetes remotecommand subprotocols
// (v5.channel.k8s.io preferred, then v4, v3, v2, channel.k8s.io). Frames are binary and start
// with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize; on v5 the client sends
// [255, 0] to close stdin. When the command ends, its exit status goes on channel 3 (a Status
// object on v4 and v5) and the socket closes with 1000. We never send 255 frames to a client.
//
// The command runs in the container's directory with the container's env, in its own process
// group. A TTY is not emulated: with tty=true stderr is merged into stdout and resize is ignored,
// which is what `kubectl exec -it` needs when it runs without a terminal (CI).
import { queryBool } from '../query-params.js';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { badRequest, statusError, type ApiError } from '../store/api-error.js';
import { killGroup, spawnGroup, waitForExit } from './processes.js';
import type { LogLine, LogWriter } from './log-files.js';

export const EXEC_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;

export interface ExecTarget {
  cwd: string;
  env: Record<string, string>;
}

export interface ExecRequest {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Writes a Status as a plain HTTP response on a socket that was not upgraded. */
export function rejectUpgrade(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.status);
  const head = `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body);
}

export function parseExecQuery(query: URLSearchParams): ExecRequest {
  const command = query.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least 1 command');
  const flag = (name: string) => queryBool(query, name);
  return { command, stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
}

export function createExecServer() {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  return {
    upgrade(
      req: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      target: ExecTarget,
      request: ExecRequest,
      track: (pid: number, done: Promise<unknown>) => void,
    ): void {
      wss.handleUpgrade(req, socket, head, (ws) => runSession(ws, target, request, track));
    },
    /** pods/attach: the container's output from now on, until its instance ends. */
    attach(req: IncomingMessage, socket: Duplex, head: Buffer, logs: LogWriter, request: ExecRequest): void {
      wss.handleUpgrade(req, socket, head, (ws) => runAttachSession(ws, logs, request));
    },
    close(): void {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function frame(channel: number, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), payload]);
}

function runSession(
  ws: WebSocket,
  target: ExecTarget,
  request: ExecRequest,
  track: (pid: number, done: Promise<unknown>) => void,
): void {
  const { child, exited } = startExecProcess(target, request, track);
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(channel, data), { binary: true });
  };
  if (request.stdout || request.tty) child.stdout?.on('data', (c: Buffer) => send(STDOUT, c));
  else child.stdout?.resume();
  if (request.stderr || request.tty)
    child.stderr?.on('data', (c: Buffer) => send(request.tty ? STDOUT : STDERR, c));
  else child.stderr?.resume();
  child.stdin?.on('error', () => undefined); // the command may exit without reading its input
  ws.on('message', (data: Buffer, isBinary: boolean) =>
    onClientFrame(Buffer.isBuffer(data) ? data : Buffer.from(data), isBinary, child.stdin),
  );
  ws.on('close', () => {
    // The client went away: the command goes too, as when a kubectl exec is interrupted.
    killGroup(child.pid, 'SIGKILL');
  });
  void exited.then((exit) => {
    const status = exitStatus(ws.protocol, exit.exitCode, exit.error);
    if (status !== undefined) send(STATUS, status);
    if (ws.readyState === ws.OPEN) ws.close(1000);
  });
}

function onClientFrame(
  data: Buffer,
  _isBinary: boolean,
  stdin: NodeJS.WritableStream | null | undefined,
): void {
  if (data.length === 0) return;
  const channel = data[0];
  if (channel === STDIN) {
    if (stdin && data.length > 1) stdin.write(data.subarray(1));
  } else if (channel === CLOSE && data[1] === STDIN) {
    stdin?.end();
  }
  // Channel 4 (resize) is accepted and ignored: there is no terminal to resize.
}

/** The status frame: a Status object on v4/v5, the kubelet's plain error text before that. */
/** The exec'd command as the container's process would run it, for either protocol (WebSocket, SPDY). */
export function startExecProcess(
  target: ExecTarget,
  request: ExecRequest,
  track: (pid: number, done: Promise<unknown>) => void,
) {
  const child = spawnGroup({
    command: request.command,
    cwd: target.cwd,
    env: request.tty ? { TERM: 'xterm', ...target.env } : target.env,
    stdin: request.stdin,
  });
  const exited = waitForExit(child);
  if (child.pid) track(child.pid, exited);
  return { child, exited };
}

export function exitStatus(protocol: string, exitCode: number, error?: Error): string | undefined {
  const structured = protocol === 'v5.channel.k8s.io' || protocol === 'v4.channel.k8s.io';
  if (error) {
    const message = `error executing command in container: failed to exec in container: ${error.message}`;
    return structured
      ? JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 })
      : message;
  }
  if (!structured)
    return exitCode === 0 ? undefined : `command terminated with non-zero exit code: exit status ${exitCode}`;
  if (exitCode === 0) return JSON.stringify({ metadata: {}, status: 'Success' });
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  });
}

export function notRunning(container: string): ApiError {
  return statusError(400, 'BadRequest', `unable to upgrade connection: container not found ("${container}")`);
}

function runAttachSession(ws: WebSocket, logs: LogWriter, request: ExecRequest): void {
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(channel, data), { binary: true });
  };
  const onLine = (line: LogLine) => {
    if (line.stream === 'stderr' && !request.tty) {
      if (request.stderr) send(STDERR, `${line.text}\n`);
    } else if (request.stdout || request.tty) send(STDOUT, `${line.text}\n`);
  };
  const finish = () => {
    logs.off('line', onLine);
    const status = exitStatus(ws.protocol, 0);
    if (status !== undefined) send(STATUS, status);
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  ws.on('close', () => logs.off('line', onLine));
  if (logs.closed) return finish();
  logs.on('line', onLine);
  logs.once('close', finish);
}
