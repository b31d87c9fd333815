// The HTTP server and its graceful stop.
//
// Stopping, in this order: stop accepting connections; let every request in flight finish, and
// tell each client (`Connection: close`) that its keep-alive connection ends after this response;
// close a keep-alive connection once it has been idle for IDLE_QUIET_MS; then the caller closes
// the pool. Connections still open after `drainTimeoutMs` are cut, so the process always exits
// inside the pod's grace period.
//
// Why not close idle connections at once (what http.Server#close does since Node 19): behind a
// plain Service, kube-proxy keeps a client's keep-alive connection on this pod after the
// selector moved, and a client reusing it just as it closes sees a reset. Kept a moment, a busy
// connection gets its next answer with `Connection: close` and the client reconnects — to the
// Service's new pods.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Pool } from 'pg';
import type { Faults } from './config.js';
import { createRouter } from './routes.js';

export interface RunningServer {
  server: Server;
  address: { host: string; port: number };
  /** Resolves when every connection has closed. */
  stop(drainTimeoutMs: number): Promise<void>;
}

/** An idle keep-alive connection is closed after this long without a request, once stopping. */
export const IDLE_QUIET_MS = 1000;

export async function startServer(
  pool: Pool,
  options: { host: string; port: number; version: string; faults?: Faults; color?: string },
): Promise<RunningServer> {
  const route = createRouter(pool, options.version, options.faults, options.color);
  const inFlight = new Set<ServerResponse>();
  const sockets = new Map<Socket, { busy: number; idleSince: number }>();
  let stopping = false;
  const server = createServer((req, res) => {
    inFlight.add(res);
    const use = sockets.get(req.socket);
    if (use) use.busy++;
    if (stopping) res.shouldKeepAlive = false;
    res.on('close', () => {
      inFlight.delete(res);
      if (use) {
        use.busy--;
        use.idleSince = Date.now();
      }
    });
    void route(req, res);
  });
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, { busy: 0, idleSince: Date.now() });
    socket.on('close', () => sockets.delete(socket));
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
    // net.Server#close: stop accepting, without http.Server's immediate close of idle connections.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const [socket, use] of sockets)
        if (use.busy === 0 && now - use.idleSince >= IDLE_QUIET_MS) socket.destroy();
    }, 100);
    const cut = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
    return closed.finally(() => {
      clearTimeout(cut);
      clearInterval(sweep);
    });
  };
  return { server, address: { host: addr.address, port: addr.port }, stop };
}
