// Runs a command in a container over the WebSocket exec protocol, offering v5.channel.k8s.io
// first (as kubectl ≥ 1.30 does) and v4 as fallback. Binary frames: first byte is the channel
// (1 stdout, 2 stderr, 3 status JSON; v5 adds 255 <ch> = close). The exit code comes from the
// status: Success → 0, else details.causes[reason=ExitCode].message.
import type { Agent } from 'node:http';
import type WebSocket from 'ws';
import { OperationFailedError, UnreachableError } from '../errors.js';
import { RequestAbortedError } from './errors.js';
import type { ExecResult } from './types.js';
import type { TlsSettings } from './transport.js';

export interface ExecRequest {
  server: string;
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
  headers: Record<string, string>;
  tls: TlsSettings;
  /** A CONNECT-tunnelling agent when the API server is reached through a proxy. */
  agent?: Agent;
  timeoutMs: number;
  /** Until the WebSocket upgrade is answered (connect + first byte). */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  context: string;
}

interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
}

export function execUrl(req: ExecRequest): string {
  const q = new URLSearchParams();
  for (const c of req.command) q.append('command', c);
  if (req.container) q.set('container', req.container);
  q.set('stdout', 'true');
  q.set('stderr', 'true');
  const base = req.server.replace(/^http/, 'ws');
  return `${base}/api/v1/namespaces/${encodeURIComponent(req.namespace)}/pods/${encodeURIComponent(req.pod)}/exec?${q}`;
}

export function exitCodeOf(status: ExecStatus | undefined): number {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause ? Number(cause.message) : NaN;
  return Number.isInteger(code) ? code : 1;
}

export async function runExec(req: ExecRequest): Promise<ExecResult> {
  // ws is loaded on first use: most commands never exec, and start-up time counts.
  const { default: WebSocketClass } = await import('ws');
  return collect(req, (url, protocols, options) => new WebSocketClass(url, protocols, options));
}

type OpenSocket = (url: string, protocols: string[], options: WebSocket.ClientOptions) => WebSocket;

function collect(req: ExecRequest, open: OpenSocket): Promise<ExecResult> {
  const what = `exec in pod ${req.namespace}/${req.pod}`;
  return new Promise((resolve, reject) => {
    const ws = open(execUrl(req), ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
      headers: req.headers,
      ca: req.tls.caPem,
      cert: req.tls.certPem,
      key: req.tls.keyPem,
      rejectUnauthorized: !req.tls.insecureSkipTlsVerify,
      ...(req.tls.servername ? { servername: req.tls.servername } : {}),
      ...(req.connectTimeoutMs ? { handshakeTimeout: req.connectTimeoutMs } : {}),
      ...(req.agent ? { agent: req.agent } : {}),
    } as WebSocket.ClientOptions);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let status: ExecStatus | undefined;
    let failed: Error | undefined;
    const stop = (e: Error) => {
      failed ??= e;
      ws.terminate();
    };
    const timer = setTimeout(
      () =>
        stop(
          new OperationFailedError(`${what}: ${req.command.join(' ')} ran longer than ${req.timeoutMs} ms`),
        ),
      req.timeoutMs,
    );
    const onAbort = () => stop(new RequestAbortedError(what, req.signal?.reason));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('unexpected-response', (_r, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        stop(upgradeError(what, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))),
      );
    });
    ws.on('message', (data: Buffer) => {
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === 1) out.push(payload);
      else if (channel === 2) err.push(payload);
      else if (channel === 3) status = JSON.parse(payload.toString('utf8')) as ExecStatus;
    });
    ws.on('error', (e) =>
      stop(
        new UnreachableError(`${what}: ${e.message} (API server ${req.server}, context ${req.context})`, {
          cause: e,
          remedy: 'check that the cluster is up',
        }),
      ),
    );
    ws.on('close', () => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (failed) return reject(failed);
      resolve({
        exitCode: exitCodeOf(status),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

function upgradeError(what: string, code: number, body: string): Error {
  let message = body.trim();
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message;
  } catch {
    // plain-text body: keep it as the message
  }
  if (code === 401 || code === 403)
    return new UnreachableError(`${what}: refused (${code}): ${message}`, {
      remedy: 'check your credentials and RBAC (pods/exec create)',
    });
  return new OperationFailedError(`${what}: the API server answered ${code}: ${message}`);
}
