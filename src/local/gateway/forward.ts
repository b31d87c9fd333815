// Forwarding one request to a cluster, with Istio's default retry policy (2 retries on connect
// failure, preferring endpoints not tried yet: previous_hosts predicate), the route timeout, the
// route's header operations, and Envoy-shaped failures (503 UF/URX, 503 UC, 504 UT).
import { randomUUID } from 'node:crypto';
import { request, type Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Cluster, Endpoint } from './clusters.js';
import { applyParser, removeHeader } from './header-ops.js';
import {
  BODY_CONNECT_FAILURE,
  BODY_CONNECTION_TERMINATION,
  BODY_TIMEOUT,
  sendLocalReply,
} from './local-reply.js';
import type { GatewayMetrics } from './metrics.js';
import { RequestBody } from './request-body.js';
import type { RawPool, UpstreamFailure } from './raw-upstream.js';
import type { RouteDestination } from './route-types.js';

const MAX_ATTEMPTS = 3;
/** Hop-by-hop headers (RFC 9110 §7.6.1) and Envoy-internal ones a client may not set. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'x-envoy-attempt-count',
  'x-envoy-upstream-service-time',
]);

export interface ForwardContext {
  agent: Agent;
  /** Keep-alive pool of the lean client used for requests without body. */
  raw: RawPool;
  metrics: GatewayMetrics;
  /** Reports an unexpected exception while serving a request (the request is failed, the gateway lives on). */
  onInternalError(err: unknown): void;
}

/** The client socket of an HTTP Upgrade (WebSocket) request and the bytes read past its head. */
export interface Upgrade {
  socket: Duplex;
  head: Buffer;
}

/** Envoy keeps Connection/Upgrade on upgrade requests (websocket upgrade config on by default). */
export function upstreamHeaders(req: IncomingMessage, dest: RouteDestination, upgrade = false): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let xff: string | undefined;
  let requestId = false;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    const lower = key.toLowerCase();
    if (HOP_BY_HOP.has(lower) && !(upgrade && (lower === 'connection' || lower === 'upgrade'))) continue;
    if (lower === 'x-forwarded-for') xff = xff === undefined ? raw[i + 1]! : `${xff},${raw[i + 1]!}`;
    else {
      if (lower === 'x-request-id') requestId = true;
      out.push(key, raw[i + 1]!);
    }
  }
  const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  out.push('x-forwarded-for', xff === undefined ? remote : `${xff},${remote}`, 'x-forwarded-proto', 'http');
  if (!requestId) out.push('x-request-id', randomUUID());
  for (const p of dest.requestParsers) applyParser(out, p);
  if (dest.authority !== undefined) {
    removeHeader(out, 'host');
    out.push('host', dest.authority);
  }
  return out;
}

/** Next endpoint round-robin, skipping ones already tried when another is available. */
function pickEndpoint(cluster: Cluster, tried: Endpoint[] | undefined): Endpoint {
  const eps = cluster.endpoints;
  for (let n = 0; n < eps.length; n++) {
    const ep = eps[cluster.cursor++ % eps.length]!;
    if (!tried || !tried.includes(ep)) return ep;
  }
  return eps[cluster.cursor++ % eps.length]!;
}

function isConnectError(err: NodeJS.ErrnoException): boolean {
  return [
    'ECONNREFUSED',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EADDRNOTAVAIL',
    'ETIMEDOUT',
    'ECONNRESET',
    'EPIPE',
  ].includes(err.code ?? '');
}

type Failure = UpstreamFailure;

export class Exchange {
  private attempts = 0;
  private tried: Endpoint[] | undefined;
  /** Cancels the attempt in flight (Node request or raw exchange). */
  private abortUpstream: (() => void) | undefined;
  private attemptId = 0;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly body: RequestBody;

  constructor(
    private readonly ctx: ForwardContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly cluster: Cluster,
    private readonly dest: RouteDestination,
    private readonly path: string,
    private readonly headers: string[],
    private readonly start: number,
    timeoutMs: number,
    private readonly upgrade?: Upgrade,
  ) {
    this.body = new RequestBody(req);
    if (timeoutMs > 0) this.timer = setTimeout(() => this.onTimeout(), timeoutMs);
    res.once('close', () => this.onDownstreamClose());
  }

  run(): void {
    const ep = pickEndpoint(this.cluster, this.tried);
    this.attempts++;
    const id = ++this.attemptId;
    const headers = this.attempts === 1 ? this.headers : this.headers.slice();
    headers.push('x-envoy-attempt-count', String(this.attempts));
    if (!this.upgrade && this.body.bodyless) this.runRaw(ep, headers, id);
    else this.runNode(ep, headers, id);
  }

  /** The common case (no body, no upgrade) on the lean client. */
  private runRaw(ep: Endpoint, headers: string[], id: number): void {
    const attemptStart = performance.now();
    let head = `${this.req.method} ${this.path} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    let status = 0;
    const ex = this.ctx.raw.send(ep.address, ep.port, head + '\r\n', this.req.method === 'HEAD', {
      onHead: (s, raw) => {
        status = s;
        if (!this.relayHead(s, raw, ep, attemptStart)) ex.abort();
      },
      onData: (chunk) => {
        const ok = this.res.write(chunk);
        if (!ok) this.res.once('drain', () => ex.resume());
        return ok;
      },
      onEnd: () => {
        if (this.finished) return;
        this.res.end();
        this.finish(ep.metrics, status, '-');
      },
      onError: (failure) => {
        if (id === this.attemptId) this.failed(failure, ep);
      },
    });
    this.abortUpstream = () => ex.abort();
  }

  /** Requests with a body or an upgrade go through Node's client. */
  private runNode(ep: Endpoint, headers: string[], id: number): void {
    const attemptStart = performance.now();
    let connected = false;
    const up = request({
      host: ep.address,
      port: ep.port,
      method: this.req.method,
      path: this.path,
      headers,
      agent: this.ctx.agent,
      setHost: false,
    });
    this.abortUpstream = () => up.destroy();
    up.once('socket', (s) => {
      if (!s.connecting) connected = true;
      else s.once('connect', () => (connected = true));
    });
    up.once('response', (upRes) => {
      if (!this.relayHead(upRes.statusCode ?? 502, upRes.rawHeaders, ep, attemptStart)) {
        upRes.resume();
        return;
      }
      const status = upRes.statusCode ?? 502;
      upRes.on('error', () => this.res.destroy());
      upRes.on('aborted', () => this.res.destroy());
      upRes.pipe(this.res);
      upRes.once('end', () => this.finish(ep.metrics, status, '-'));
    });
    if (this.upgrade)
      up.once('upgrade', (upRes, upSocket, upHead) => this.onUpgrade(upRes, upSocket, upHead, ep));
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (id !== this.attemptId) return;
      const failure: Failure =
        !connected && isConnectError(err) ? 'connect' : connected && up.reusedSocket ? 'stale' : 'reset';
      this.failed(failure, ep);
    });
    this.body.attach(up);
  }

  /** Writes the response head to the client; false when the exchange is over or Node refused it. */
  private relayHead(status: number, raw: string[], ep: Endpoint, attemptStart: number): boolean {
    if (this.finished) return false;
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const lower = raw[i]!.toLowerCase();
      if (!HOP_BY_HOP.has(lower) && lower !== 'server') out.push(raw[i]!, raw[i + 1]!);
    }
    const took = String(Math.round(performance.now() - attemptStart));
    out.push('server', 'istio-envoy', 'x-envoy-upstream-service-time', took);
    for (const p of this.dest.responseParsers) applyParser(out, p);
    try {
      this.res.writeHead(status, out);
      return true;
    } catch (err) {
      // Node validated the pod's headers already, so this is a bug here: fail the request, not the gateway.
      this.ctx.onInternalError(err);
      this.res.destroy();
      this.finish(ep.metrics, 0, 'UPE');
      return false;
    }
  }

  /** 101 from the pod: relay its head, then splice the two sockets until either side closes. */
  private onUpgrade(upRes: IncomingMessage, upSocket: Duplex, upHead: Buffer, ep: Endpoint): void {
    const client = this.upgrade!.socket;
    if (this.finished || client.destroyed) {
      upSocket.destroy();
      return;
    }
    this.finish(ep.metrics, 101, '-');
    const lines = [`HTTP/1.1 101 ${upRes.statusMessage ?? 'Switching Protocols'}`];
    const raw = upRes.rawHeaders;
    for (let i = 0; i < raw.length; i += 2)
      if (raw[i]!.toLowerCase() !== 'server') lines.push(`${raw[i]}: ${raw[i + 1]}`);
    lines.push('server: istio-envoy');
    client.write(lines.join('\r\n') + '\r\n\r\n');
    if (upHead.length) client.write(upHead);
    if (this.upgrade!.head.length) upSocket.write(this.upgrade!.head);
    upSocket.on('error', () => client.destroy());
    client.on('error', () => upSocket.destroy());
    upSocket.pipe(client).pipe(upSocket);
  }

  /**
   * Connect failures are retried (Istio default retryOn: connect-failure), on another endpoint
   * when there is one. A pooled connection that died before any response byte is retried too
   * when the body can be replayed: Envoy's pool notices such closes before reuse; ours can lose
   * that race. Anything else, or the last attempt failing, is a 503 as Envoy words it.
   */
  private failed(failure: Failure, ep: Endpoint): void {
    if (this.finished) return;
    if (this.res.headersSent) {
      this.res.destroy();
      this.finish(ep.metrics, this.res.statusCode, 'UC');
      return;
    }
    if (failure !== 'reset' && this.attempts < MAX_ATTEMPTS && this.body.replayable) {
      (this.tried ??= []).push(ep);
      this.body.detach();
      this.run();
      return;
    }
    const connect = failure === 'connect';
    const body = connect ? BODY_CONNECT_FAILURE : BODY_CONNECTION_TERMINATION;
    const flags = connect ? (this.attempts > 1 ? 'UF,URX' : 'UF') : 'UC';
    sendLocalReply(this.req, this.res, 503, body, this.dest.responseParsers);
    this.finish(this.dest.metrics, 503, flags);
  }

  private onTimeout(): void {
    if (this.finished) return;
    this.attemptId++;
    this.abortUpstream?.();
    if (this.res.headersSent) {
      this.res.destroy();
      this.finish(this.dest.metrics, this.res.statusCode, 'UT');
      return;
    }
    sendLocalReply(this.req, this.res, 504, BODY_TIMEOUT, this.dest.responseParsers);
    this.finish(this.dest.metrics, 504, 'UT');
  }

  private onDownstreamClose(): void {
    if (this.finished) return;
    this.attemptId++;
    this.abortUpstream?.();
    this.finish(this.dest.metrics, 0, 'DC');
  }

  private finish(metrics: string, status: number, flags: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.ctx.metrics.record(metrics, status, flags, performance.now() - this.start);
  }
}
