// A fault-injecting HTTP proxy between cutover and an API server (loopback only). Each request
// is forwarded, or answered with one fault, chosen either by a script (`plan`) or at random at a
// given rate from a seeded generator, so a run can be reproduced exactly with the same seed.
//
// Faults (what a flaky control plane, load balancer or network does):
//   500, 503 — an error Status before the request reaches the server (not applied);
//   429      — TooManyRequests with Retry-After (not applied);
//   409      — Conflict on a write (PUT/PATCH/DELETE; other verbs get a 503 instead);
//   hang     — the connection is accepted and never answered;
//   stall    — the request is forwarded (a write IS applied), the headers come back, the body never;
//   reset    — the request is forwarded (a write IS applied), then the connection is destroyed;
//   truncate — the request is forwarded (a write IS applied), the headers and half of the body come
//              back, then the connection is destroyed (Node reports it as `aborted`). Only by
//              script: not among the kinds drawn at random (FAULT_KINDS), so seeded runs keep
//              drawing the same faults as before.
//   lost-504 — the request is forwarded (a write IS applied), and the answer is replaced by the API
//              server's 504 Timeout Status (its request timeout fired while storage committed the
//              write). Only by script, like truncate.
// WebSocket upgrades (exec) are passed through untouched.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type FaultKind = '500' | '503' | '409' | '429' | 'hang' | 'stall' | 'reset' | 'truncate' | 'lost-504';
/** The kinds drawn at random by default. */
export const FAULT_KINDS: readonly FaultKind[] = ['500', '503', '409', '429', 'hang', 'stall', 'reset'];
const ALL_KINDS: readonly FaultKind[] = [...FAULT_KINDS, 'truncate', 'lost-504'];

export interface FaultProxyOptions {
  /** The API server to forward to, e.g. http://127.0.0.1:6443. */
  target: string;
  /** Share of requests faulted, 0..1 (ignored when `plan` is given). */
  rate?: number;
  /** Seed of the random choice of requests and faults. */
  seed?: number;
  /** Faults to draw from (default all). */
  faults?: readonly FaultKind[];
  /** Scripted mode: the fault for request n (1-based), or undefined to forward. */
  plan?: (n: number, req: http.IncomingMessage) => FaultKind | undefined;
  /** Retry-After seconds sent with 429 (default 1, as the API server's priority and fairness does). */
  retryAfterSeconds?: number;
  /**
   * reset / truncate: called with the server's status once it answered; false passes the answer
   * on unharmed and the fault is not counted (e.g. to lose only answers to writes that were applied).
   */
  dropAnswer?: (req: http.IncomingMessage, status: number) => boolean;
}

export interface FaultProxy {
  url: string;
  /** Requests seen and faults injected so far, by kind. */
  readonly stats: { requests: number; faulted: number; byKind: Record<FaultKind, number> };
  /** Change the rate (and re-seed) for the next requests. */
  setRate(rate: number, seed?: number): void;
  /** Switch to a script; request numbering restarts at 1. */
  setPlan(plan: FaultProxyOptions['plan']): void;
  close(): Promise<void>;
}

/** mulberry32: small, fast and good enough to spread faults evenly; same seed, same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WRITES = new Set(['PUT', 'PATCH', 'DELETE']);

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const kinds = options.faults ?? FAULT_KINDS;
  let rate = options.rate ?? 0;
  let random = seededRandom(options.seed ?? 1);
  let plan = options.plan;
  let n = 0;
  const stats = {
    requests: 0,
    faulted: 0,
    byKind: Object.fromEntries(ALL_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
  };
  const hung = new Set<net.Socket>();

  const choose = (req: http.IncomingMessage): FaultKind | undefined => {
    n++;
    if (plan) return plan(n, req);
    // Two draws per request whatever happens, so one request's fate does not shift the next's.
    const hit = random() < rate;
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    return hit ? kind : undefined;
  };

  const server = http.createServer((req, res) => {
    stats.requests++;
    let fault = choose(req);
    if (fault === '409' && !WRITES.has(req.method ?? 'GET')) fault = '503';
    if (fault) {
      stats.faulted++;
      stats.byKind[fault]++;
    }
    switch (fault) {
      case undefined:
        return forward(req, res, target, 'pass');
      case 'hang':
        hung.add(req.socket);
        req.socket.once('close', () => hung.delete(req.socket));
        return req.resume();
      case 'stall':
      case 'reset':
      case 'truncate':
      case 'lost-504':
        return forward(req, res, target, fault, (status) => {
          if (!options.dropAnswer || options.dropAnswer(req, status)) return true;
          stats.faulted--;
          stats.byKind[fault]--;
          return false;
        });
      default:
        return answerStatus(req, res, Number(fault), options.retryAfterSeconds ?? 1);
    }
  });
  server.on('upgrade', (req, socket, head) => passUpgrade(req, socket as net.Socket, head, target));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    setRate(next, seed) {
      plan = undefined;
      rate = next;
      if (seed !== undefined) random = seededRandom(seed);
    },
    setPlan(next) {
      plan = next;
      n = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of hung) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const REASONS: Record<number, string> = {
  500: 'InternalError',
  503: 'ServiceUnavailable',
  409: 'Conflict',
  429: 'TooManyRequests',
};

function answerStatus(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  code: number,
  retryAfterSeconds: number,
): void {
  req.resume();
  const message =
    code === 409
      ? 'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again (injected fault)'
      : `injected fault ${code} ${REASONS[code]}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (code === 429) headers['retry-after'] = String(retryAfterSeconds);
  res.writeHead(code, headers);
  res.end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code,
      reason: REASONS[code],
      message,
    }),
  );
}

function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: URL,
  given: 'pass' | 'stall' | 'reset' | 'truncate' | 'lost-504',
  drop: (status: number) => boolean = () => true,
): void {
  const up = http.request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
    (upRes) => {
      const mode = given === 'pass' || given === 'stall' || drop(upRes.statusCode ?? 502) ? given : 'pass';
      if (mode === 'reset') {
        // The server has acted on the request; the answer is lost on the way back.
        upRes.resume();
        upRes.on('end', () => req.socket.destroy());
        return;
      }
      if (mode === 'lost-504') {
        upRes.resume();
        upRes.on('end', () => {
          res.writeHead(504, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              code: 504,
              reason: 'Timeout',
              message:
                'Timeout: request did not complete within requested timeout - context deadline exceeded (injected fault)',
            }),
          );
        });
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (mode === 'stall') {
        res.flushHeaders();
        upRes.resume();
        return;
      }
      if (mode === 'truncate') {
        // The headers and half of the body reach the client, then the connection drops.
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const body = Buffer.concat(chunks);
          res.flushHeaders();
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
        });
        return;
      }
      upRes.pipe(res);
    },
  );
  up.on('error', () => req.socket.destroy());
  res.on('close', () => up.destroy());
  req.pipe(up);
}

function passUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer, target: URL): void {
  const upstream = net.connect(Number(target.port), target.hostname, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const end = () => (upstream.destroy(), socket.destroy());
  upstream.on('error', end);
  socket.on('error', end);
  socket.on('close', end);
}
