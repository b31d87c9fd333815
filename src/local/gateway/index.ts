// The local cluster's Istio ingress gateway: an HTTP proxy on one loopback port that routes by
// Gateway + VirtualService + DestinationRule as Istio's ingress does, from a view of the store that
// lags by `propagationDelayMs` (Envoy's eventual consistency), with Istio's request metrics.
// See docs/gateway.md for what is emulated and what is not.
import { Agent, createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObjectStore } from '../store/types.js';
import { GatewayMetrics, type RequestStat } from './metrics.js';
import { ConfigReporter, type GatewayLog } from './not-emulated.js';
import { PropagatedView } from './propagation.js';
import { RawPool } from './raw-upstream.js';
import { routeRequest } from './proxy.js';
import type { RoutingTable } from './route-types.js';
import { compileRoutingTable } from './routing-table.js';

export type { RequestStat } from './metrics.js';

export const METRICS_PATH = '/stats/prometheus';

export interface GatewayOptions {
  store: ObjectStore;
  /** Loopback address to bind, e.g. 127.0.0.1. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Time between a store change and the gateway routing by it. */
  propagationDelayMs: number;
  /** Where configuration warnings go (fields not emulated, rejected configs). Default: stderr. */
  log?: GatewayLog;
  /**
   * Serve GET /stats/prometheus on this separate port (0 = any free port) instead of on the
   * gateway port. Default: on the gateway port, where that exact path is never routed.
   */
  metricsPort?: number;
}

export interface Gateway {
  url: string;
  port: number;
  /** Set when `metricsPort` was given. */
  metricsUrl?: string;
  close(): Promise<void>;
  setPropagationDelay(ms: number): void;
  /** Request counts and duration sums per label set, as exported in istio_requests_total. */
  stats(): RequestStat[];
  /** The routing-table version the gateway routes by now (increases with each propagated change). */
  configVersion(): number;
  /** The newest store resourceVersion the gateway routes by (changes after it are still propagating). */
  observedResourceVersion(): number;
}

const CLOSE_GRACE_MS = 5000;

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function serveMetrics(metrics: GatewayMetrics, res: ServerResponse): void {
  const body = metrics.render();
  res.writeHead(200, {
    'content-type': 'text/plain; version=0.0.4',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const reporter = new ConfigReporter(log);
  const metrics = new GatewayMetrics();
  // One pool, keyed by endpoint address:port; lifo keeps the warmest connection in use.
  const agent = new Agent({
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxSockets: Infinity,
    maxFreeSockets: 256,
    scheduling: 'lifo',
  });
  const raw = new RawPool();
  const ctx = {
    agent,
    raw,
    metrics,
    onInternalError: (err: unknown) =>
      reporter.problem(
        'gateway',
        'istio-system',
        'istio-ingressgateway',
        `internal error while serving a request: ${(err as Error)?.stack ?? String(err)}`,
      ),
  };
  /** Last line of defence: a failing request gets a 500 (or a reset), the gateway keeps serving. */
  const guarded = (res: ServerResponse, serve: () => void): void => {
    try {
      serve();
    } catch (err) {
      ctx.onInternalError(err);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-length': 0 }).end();
    }
  };
  let listenPort = options.port;
  let version = 0;
  let table: RoutingTable;
  const recompile = (): void => {
    table = compileRoutingTable(view.view, listenPort, ++version, reporter);
  };
  const view = new PropagatedView(options.store, Math.max(0, options.propagationDelayMs), recompile);
  const metricsOnMain = options.metricsPort === undefined;
  // Upgraded (WebSocket) connections leave the HTTP server's bookkeeping; close() ends them.
  const upgraded = new Set<import('node:net').Socket>();
  const server = createServer({ keepAliveTimeout: 65_000 }, (req: IncomingMessage, res: ServerResponse) => {
    if (metricsOnMain && req.method === 'GET' && req.url === METRICS_PATH) return serveMetrics(metrics, res);
    guarded(res, () => routeRequest(ctx, table, req, res));
  });
  server.on('upgrade', (req: IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
    // A response object on the raw socket lets local replies (404, 503…) use the usual path.
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => socket.end());
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    guarded(res, () => routeRequest(ctx, table, req, res, { socket, head }));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  // Routes exist before the first connection can arrive; the listener's port joins once known.
  view.start();
  recompile();
  try {
    listenPort = await listen(server, options.host, options.port);
  } catch (err) {
    view.stop();
    throw err;
  }
  if (listenPort !== options.port) recompile();
  let metricsServer: Server | undefined;
  let metricsUrl: string | undefined;
  if (options.metricsPort !== undefined) {
    metricsServer = createServer((req, res) => {
      if (req.url === METRICS_PATH) serveMetrics(metrics, res);
      else res.writeHead(404, { 'content-length': 0 }).end();
    });
    metricsUrl = `http://${options.host}:${await listen(metricsServer, options.host, options.metricsPort)}${METRICS_PATH}`;
  }
  return {
    url: `http://${options.host}:${listenPort}`,
    port: listenPort,
    metricsUrl,
    setPropagationDelay: (ms) => view.setDelay(ms),
    stats: () => metrics.stats(),
    configVersion: () => version,
    observedResourceVersion: () => view.appliedResourceVersion,
    close: async () => {
      view.stop();
      for (const s of upgraded) s.destroy();
      await Promise.all([closeServer(server), metricsServer ? closeServer(metricsServer) : undefined]);
      agent.destroy();
      raw.destroy();
    },
  };
}
