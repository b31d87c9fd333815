// The HTTP server and its graceful stop.
//
// Stopping, in this order: stop accepting connections; let every request in flight finish, and
// tell each client (`Connection: close`) that its keep-alive connection ends after this response;
// close idle connections; then the caller closes the pool. Connections still open after
// `drainTimeoutMs` are cut, so the process always exits inside the pod's grace period.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import type { Faults } from './config.js';
import { createRouter } from './routes.js';

export interface RunningServer {
  server: Server;
  address: { host: string; port: number };
  /** Resolves when every connection has closed. */
  stop(drainTimeoutMs: number): Promise<void>;
}

export async function startServer(
  pool: Pool,
  options: { host: string; port: number; version: string; faults?: Faults },
): Promise<RunningServer> {
  const route = createRouter(pool, options.version, options.faults);
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  const server = createServer((req, res) => {
    inFlight.add(res);
    if (stopping) res.shouldKeepAlive = false;
    res.on('close', () => {
      inFlight.delete(res);
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
    void route(req, res);
  });
  // Outlive a proxy's pooled idle connections, so the proxy never reuses one the app just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address() as { address: string; port: number };
  const stop = (drainTimeoutMs: number) => {
    stopping = true;
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
    return closed.finally(() => clearTimeout(cut));
  };
  return { server, address: { host: addr.address, port: addr.port }, stop };
}
