// Replies the gateway generates itself, shaped like Envoy's local replies: `server: istio-envoy`,
// a text/plain body when there is one (404 NR has none), the route's response header operations
// applied (Envoy runs them on local replies too).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyParser, type HeaderParser } from './header-ops.js';

export const BODY_NO_HEALTHY_UPSTREAM = 'no healthy upstream';
export const BODY_CONNECT_FAILURE =
  'upstream connect error or disconnect/reset before headers. reset reason: connection failure';
export const BODY_CONNECTION_TERMINATION =
  'upstream connect error or disconnect/reset before headers. reset reason: connection termination';
export const BODY_TIMEOUT = 'upstream request timeout';

export function sendLocalReply(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string | Buffer | undefined,
  parsers: readonly HeaderParser[],
  extra?: string[],
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const payload =
    body === undefined || body.length === 0 ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  const headers = ['server', 'istio-envoy', 'content-length', String(payload?.length ?? 0)];
  if (payload) headers.push('content-type', 'text/plain');
  if (extra) headers.push(...extra);
  for (const p of parsers) applyParser(headers, p);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
}
