// The request, upgrade and client-error handlers of a routing listener: the ingress gateway's
// port and each Gateway API Gateway's ports serve requests the same way, each by its own table.
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ForwardContext } from './forward.js';
import { routeRequest } from './proxy.js';
import type { RoutingTable } from './route-types.js';

export interface ServeOptions {
  ctx: ForwardContext;
  /** The table in force now (read per request: a propagated change swaps it). */
  table: () => RoutingTable;
  /** Upgraded (WebSocket) connections leave the HTTP server's bookkeeping; close() ends them. */
  upgraded: Set<Socket>;
  /** Answers a request itself (the metrics path) when it returns true. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export function serveRequests(server: Server, o: ServeOptions): void {
  /** Last line of defence: a failing request gets a 500 (or a reset), the gateway keeps serving. */
  const guarded = (res: ServerResponse, serve: () => void): void => {
    try {
      serve();
    } catch (err) {
      o.ctx.onInternalError(err);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-length': 0 }).end();
    }
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (o.intercept?.(req, res)) return;
    guarded(res, () => routeRequest(o.ctx, o.table(), req, res));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // A response object on the raw socket lets local replies (404, 503…) use the usual path.
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => socket.end());
    o.upgraded.add(socket);
    socket.once('close', () => o.upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    guarded(res, () => routeRequest(o.ctx, o.table(), req, res, { socket, head }));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
}
