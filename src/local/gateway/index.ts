// The local cluster's Istio ingress gateway: an HTTP proxy on one loopback port that routes by
// Gateway + VirtualService + DestinationRule as Istio's ingress does, from a view of the store that
// lags by `propagationDelayMs` (Envoy's eventual consistency), with Istio's request metrics.
// It is also the Gateway API controller of the `istio` GatewayClass: each Gateway of that class
// gets a loopback address and routes its HTTPRoutes there (gateway-api/).
// See docs/gateway.md for what is emulated and what is not.
import { Agent, createServer, ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ObjectStore } from '../store/types.js';
import { GatewayMetrics, type RequestStat } from './metrics.js';
import { ConfigReporter, type GatewayLog } from './not-emulated.js';
import { PropagatedView } from './propagation.js';
import { RawPool } from './raw-upstream.js';
import type { RoutingTable } from './route-types.js';
import { compileRoutingTable } from './routing-table.js';
import { serveRequests } from './serve-requests.js';
import { ClusterRegistry } from './clusters.js';
import { compileGatewayApi } from './gateway-api/compile.js';
import { GatewayApiServers } from './gateway-api/servers.js';
import { writeGatewayApiStatus } from './gateway-api/status.js';

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
  let listenPort = options.port;
  let version = 0;
  let table: RoutingTable;
  const gatewayApi = new GatewayApiServers(ctx);
  let gatewayApiSync: Promise<void> = Promise.resolve();
  const recompile = (): void => {
    table = compileRoutingTable(view.view, listenPort, ++version, reporter);
    const config = compileGatewayApi(view.view, new ClusterRegistry(view.view, reporter), version, reporter);
    const routes = [...view.view.httproutes.values()];
    // One reconcile at a time, in order; status follows what is actually bound.
    gatewayApiSync = gatewayApiSync
      .then(() => gatewayApi.reconcile(config))
      .then((bound) => writeGatewayApiStatus(options.store, config, bound, routes, new Date().toISOString()))
      .catch((err: unknown) => ctx.onInternalError(err));
  };
  const view = new PropagatedView(options.store, Math.max(0, options.propagationDelayMs), recompile);
  const metricsOnMain = options.metricsPort === undefined;
  const upgraded = new Set<Socket>();
  const server = createServer({ keepAliveTimeout: 65_000 });
  serveRequests(server, {
    ctx,
    table: () => table,
    upgraded,
    intercept: (req, res) => {
      if (!metricsOnMain || req.method !== 'GET' || req.url !== METRICS_PATH) return false;
      serveMetrics(metrics, res);
      return true;
    },
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
      await gatewayApiSync;
      await gatewayApi.close();
      for (const s of upgraded) s.destroy();
      await Promise.all([closeServer(server), metricsServer ? closeServer(metricsServer) : undefined]);
      agent.destroy();
      raw.destroy();
    },
  };
}
