// The local cluster's Kubernetes API server: the REST protocol over plain HTTP on loopback,
// backed by the in-process object store. See src/local/ARCHITECTURE.md.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { findResource } from '../resources.js';
import type { ObjectStore } from '../store/types.js';
import { applyDefaults, resetStatusOnCreate } from './admission-defaults.js';
import type { ServerContext } from './call.js';
import { loadModules } from './modules.js';
import { RequestMetrics } from './metrics.js';
import { ListSnapshots } from './list-pages.js';
import { WatchCacheWindows } from './watch-cache-window.js';
import { parseApiPath, pathSegments } from './paths.js';
import type { PodSubresourceHandlers } from './pod-subresources.js';
import { handleExecUpgrade, handlePortForwardUpgrade, writeSocketStatus } from './pod-routes.js';
import { handleRequest, splitUrl } from './router.js';
import { pathNotFound } from '../store/api-error.js';
import { toApiError } from './http-io.js';

export type { PodSubresourceHandlers } from './pod-subresources.js';

export interface ApiServerOptions {
  store: ObjectStore;
  /** Loopback by default; the local cluster never listens elsewhere. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  pods?: PodSubresourceHandlers;
  /** How often watches with allowWatchBookmarks get a BOOKMARK (default 60 s, as the real server). */
  bookmarkIntervalMs?: number;
  /**
   * A network's round trip between clients and this server: each request is handled this many
   * ms after it arrives, the first on a connection twice as late (its TCP handshake). Default 0.
   */
  latencyMs?: number;
}

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Requests served so far, keyed `VERB resource[/subresource]`: 'GET deployments', 'LIST pods', 'WATCH pods', 'PATCH virtualservices'. */
  requestCounts(): Record<string, number>;
}

/** Namespaces every cluster starts with. */
export const INITIAL_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'istio-system',
];

function ensureNamespaces(store: ObjectStore): void {
  const namespaces = findResource('', 'namespaces')!;
  for (const name of INITIAL_NAMESPACES) {
    if (store.get(namespaces, undefined, name)) continue;
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    resetStatusOnCreate(ns, true);
    applyDefaults(ns, store);
    store.create(namespaces, ns);
  }
}

/**
 * Runs each request's handler after the round trip of a network between client and server. On
 * loopback a round trip costs nothing, so requests made one after the other cost no more than
 * the same requests side by side; to a real cluster each round trip costs 1-50 ms. A
 * connection's first request also pays for the TCP handshake.
 */
function networkLatency(ms: number): (req: IncomingMessage, handle: () => unknown) => void {
  if (ms <= 0) return (_req, handle) => void handle();
  const connected = new WeakSet<object>();
  return (req, handle) => {
    const first = !connected.has(req.socket);
    connected.add(req.socket);
    setTimeout(handle, first ? 2 * ms : ms);
  };
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { store } = options;
  const host = options.host ?? '127.0.0.1';
  ensureNamespaces(store);
  const ctx: ServerContext = {
    store,
    modules: loadModules(),
    pods: options.pods,
    metrics: new RequestMetrics(),
    openWatches: new Set(),
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    listSnapshots: new ListSnapshots(),
    watchWindows: new WatchCacheWindows(store),
  };
  let serverAddress = '';
  // Idle keep-alive connections stay open 90 s, as kube-apiserver's (secure_serving.go): with
  // Node's default 5 s, a client reusing a connection just as the server closes it meets a reset.
  const later = networkLatency(options.latencyMs ?? 0);
  const server = createServer({ keepAliveTimeout: 90_000 }, (req, res) =>
    later(req, () =>
      // handleRequest answers every error with a Status; this only catches a failure to send
      // one, which must cost that one connection and never the server.
      handleRequest(ctx, req, res, serverAddress).catch((err: unknown) => {
        process.emitWarning(
          `API server: cannot answer ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`,
        );
        res.destroy();
      }),
    ),
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    later(req, () => onUpgrade(ctx, req, socket, head)),
  );
  // Errors on one client connection (a reset, a malformed request) concern that client only.
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  serverAddress = `${hostInUrl}:${port}`;
  return {
    url: `http://${hostInUrl}:${port}`,
    port,
    requestCounts: () => ctx.metrics.counts(),
    close: async () => {
      for (const stop of [...ctx.openWatches]) stop();
      ctx.watchWindows.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function onUpgrade(ctx: ServerContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  let resource = 'nonresource';
  let subresource = '';
  let code: number;
  try {
    const url = splitUrl(req.url);
    const parsed = parseApiPath(pathSegments(url.pathname));
    const sub = parsed.kind === 'resource' ? parsed.route.subresource : undefined;
    if (
      parsed.kind !== 'resource' ||
      !parsed.route.name ||
      (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward')
    )
      throw pathNotFound();
    resource = 'pods';
    subresource = sub;
    code =
      sub === 'exec' || sub === 'attach'
        ? handleExecUpgrade(ctx, parsed.route, req, socket, head, url.searchParams)
        : handlePortForwardUpgrade(ctx, parsed.route, req, socket, head);
  } catch (err) {
    const apiError = toApiError(err);
    code = apiError.code;
    writeSocketStatus(socket, apiError);
  }
  ctx.metrics.record('CONNECT', resource, subresource, code);
}
