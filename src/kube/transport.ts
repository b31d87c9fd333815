// The default HTTP transport: node:http / node:https with one keep-alive agent per client, so a
// release's requests share a handful of connections (no TLS handshake per call). Node's global
// fetch cannot take a custom CA or client certificate without undici, hence node:https.
//
// Every request is bounded by up to four clocks (each optional, in ms):
//   connect   — TCP + TLS handshake of a new connection (a reused keep-alive socket skips it);
//   firstByte — from sending until the response headers arrive;
//   idle      — while the caller waits for the next body chunk (a stalled stream);
//   total     — the whole exchange, body included (not for watches, which run for minutes).
// A clock that fires destroys the request with a TransportTimeoutError (code ETIMEDOUT) that
// says which clock and the server, so the retry policy and the message can tell them apart.
import http from 'node:http';
import type https from 'node:https';
import type { Socket } from 'node:net';
import { proxyHeaders, TunnelingHttpAgent, tunnelingHttpsAgent } from './proxy.js';
import { httpsModule } from './tls-modules.js';
import type { KubeFetch, KubeRequest, KubeResponse, RequestTimeouts } from './types.js';

export interface TlsSettings {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  insecureSkipTlsVerify: boolean;
  servername?: string;
}

/** A client certificate supplied per request (an exec plugin's, which may be renewed). */
export interface ClientCertificate {
  certPem: string;
  keyPem: string;
}

export interface Transport {
  fetch: KubeFetch;
  /** TLS settings, reused by the exec WebSocket. */
  tls: TlsSettings;
  /** The proxy requests go through, if any (proxy.ts decides). */
  proxy?: URL;
  /** An agent for a WebSocket to `url` (a CONNECT tunnel when there is a proxy). */
  webSocketAgent(url: string, cert?: ClientCertificate): http.Agent | undefined;
  close(): void;
}

export type TimeoutPhase = 'connect' | 'first byte' | 'idle' | 'total';

const PHASE_TEXT: Record<TimeoutPhase, string> = {
  connect: 'no connection',
  'first byte': 'no response headers',
  idle: 'the response stalled: no data',
  total: 'the request did not finish',
};

/** A request clock fired. `phase` 'connect' means nothing was sent. */
export class TransportTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  readonly phase: TimeoutPhase;
  readonly ms: number;
  constructor(phase: TimeoutPhase, ms: number, origin: string) {
    super(`${PHASE_TEXT[phase]} from ${origin} within ${ms} ms`);
    this.name = 'TransportTimeoutError';
    this.phase = phase;
    this.ms = ms;
  }
}

/** The request's AbortSignal fired; the request layer turns this into RequestAbortedError. */
export class TransportAbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(reason: unknown) {
    super('aborted', { cause: reason });
    this.name = 'AbortError';
  }
}

export function createTransport(settings: TlsSettings, proxy?: URL): Transport {
  const tlsOptions = (cert?: ClientCertificate): https.AgentOptions => ({
    keepAlive: true,
    maxSockets: 16,
    ca: settings.caPem,
    cert: cert?.certPem ?? settings.certPem,
    key: cert?.keyPem ?? settings.keyPem,
    rejectUnauthorized: !settings.insecureSkipTlsVerify,
    servername: settings.servername,
  });
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  // One https agent per client certificate: an exec plugin's renewed certificate gets new
  // connections, the old ones close with the agent.
  const httpsAgents = new Map<string, https.Agent>();
  const httpsAgent = (cert?: ClientCertificate): https.Agent => {
    const key = cert ? `${cert.certPem}\0${cert.keyPem}` : '';
    let agent = httpsAgents.get(key);
    if (!agent) {
      for (const [k, old] of httpsAgents) {
        if (k === '') continue;
        old.destroy();
        httpsAgents.delete(k);
      }
      agent = proxy
        ? tunnelingHttpsAgent(proxy, tlsOptions(cert))
        : new (httpsModule().Agent)(tlsOptions(cert));
      httpsAgents.set(key, agent);
    }
    return agent;
  };
  const fetch: KubeFetch = (req) => {
    if (req.url.startsWith('https:')) return send(req, httpsAgent(req.clientCert));
    // Plain http through a proxy: the request goes to the proxy, naming the server in full.
    return proxy ? send(req, httpAgent, proxy) : send(req, httpAgent);
  };
  return {
    fetch,
    tls: settings,
    proxy,
    webSocketAgent(url, cert) {
      if (!proxy) return undefined;
      if (url.startsWith('wss:') || url.startsWith('https:'))
        return tunnelingHttpsAgent(proxy, tlsOptions(cert));
      return new TunnelingHttpAgent(proxy, { keepAlive: false });
    },
    close() {
      httpAgent.destroy();
      for (const agent of httpsAgents.values()) agent.destroy();
    },
  };
}

/** Sends one request with node:http(s) through `agent`, bounded by the request's clocks. */
export function send(req: KubeRequest, agent: http.Agent, httpProxy?: URL): Promise<KubeResponse> {
  const secure = req.url.startsWith('https:');
  const mod = secure ? httpsModule() : http;
  const origin = new URL(req.url).origin;
  const t: RequestTimeouts = req.timeouts ?? {};
  return new Promise((resolvePromise, reject) => {
    if (req.signal?.aborted) return reject(new TransportAbortError(req.signal.reason));
    const r = httpProxy
      ? http.request({
          host: httpProxy.hostname,
          port: httpProxy.port || 80,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: new URL(req.url).host, ...proxyHeaders(httpProxy) },
          agent,
        })
      : mod.request(req.url, { method: req.method, headers: req.headers, agent });
    let res: http.IncomingMessage | undefined;
    const timers: NodeJS.Timeout[] = [];
    // Before the headers the request carries the error; after, the response stream does.
    const fail = (err: Error) => (res ? res.destroy(err) : r.destroy(err));
    const clock = (phase: TimeoutPhase, ms: number | undefined) => {
      if (!ms) return undefined;
      const timer = setTimeout(() => fail(new TransportTimeoutError(phase, ms, origin)), ms);
      timers.push(timer);
      return timer;
    };
    const onAbort = () => fail(new TransportAbortError(req.signal?.reason));
    const done = () => {
      for (const timer of timers) clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    clock('total', t.totalMs);
    const firstByte = clock('first byte', t.firstByteMs);
    r.on('socket', (socket: Socket) => {
      if (!socket.connecting || !t.connectMs) return;
      const timer = clock('connect', t.connectMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    });
    r.on('response', (incoming) => {
      clearTimeout(firstByte);
      res = incoming;
      // Errors are read through the body iterator; this keeps an unread one from crashing the process.
      incoming.on('error', () => {});
      resolvePromise(wrap(incoming, t.idleMs, origin, done));
    });
    r.on('error', (err) => {
      done();
      reject(err);
    });
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

function wrap(
  res: http.IncomingMessage,
  idleMs: number | undefined,
  origin: string,
  done: () => void,
): KubeResponse {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const it = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      for (;;) {
        // The idle clock runs only while we wait on the server, not while the caller works.
        const timer = idleMs
          ? setTimeout(() => res.destroy(new TransportTimeoutError('idle', idleMs, origin)), idleMs)
          : undefined;
        let step: IteratorResult<Buffer>;
        try {
          step = await it.next();
        } finally {
          clearTimeout(timer);
        }
        if (step.done) return;
        yield step.value;
      }
    } finally {
      done();
      // A caller that stops early (a watch it no longer needs) must not leave the socket open.
      if (!res.complete) res.destroy();
    }
  }
  return {
    status: res.statusCode ?? 0,
    headers,
    text: () => whole(res, idleMs, origin, done),
    body: chunks(),
  };
}

/**
 * The whole body, gathered from the stream's events: the same idle clock and clean-up as
 * `chunks`, without the async iterator a fresh process pays for on every short answer
 * (docs/adr/0021).
 */
function whole(
  res: http.IncomingMessage,
  idleMs: number | undefined,
  origin: string,
  done: () => void,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const parts: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const arm = () => {
      if (!idleMs) return;
      clearTimeout(timer);
      timer = setTimeout(() => res.destroy(new TransportTimeoutError('idle', idleMs, origin)), idleMs);
    };
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      res.off('data', onData);
      done();
      if (!err) return resolvePromise(Buffer.concat(parts).toString('utf8'));
      if (!res.complete) res.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      arm();
    };
    res.on('data', onData);
    res.once('end', () => finish());
    res.once('error', (err) => finish(err));
    // Closed before its end without an error of its own (as the stream iterator reports it).
    const closedEarly = () => {
      if (!res.complete)
        finish(
          res.errored ?? Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
        );
    };
    res.once('close', closedEarly);
    // Destroyed before this was called (a stop or a clock, between the headers and now).
    if (res.destroyed) return closedEarly();
    arm();
  });
}
