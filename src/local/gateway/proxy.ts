// The request path of the ingress gateway (reference §1.10): virtual host by Host (port ignored),
// first matching route wins, then its action: redirect, direct response, or forwarding to a
// weighted destination — 404 NR when nothing matches, 503 NC for a cluster Envoy would not have,
// 503 UH when the cluster has no ready endpoint.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Exchange, upstreamHeaders, type ForwardContext, type Upgrade } from './forward.js';
import { hostWithoutPort } from './hosts.js';
import { BODY_NO_HEALTHY_UPSTREAM, sendLocalReply } from './local-reply.js';
import { UNKNOWN_PREFIX } from './metrics-labels.js';
import { normalizePath, splitTarget } from './paths.js';
import { requestFacts } from './request-facts.js';
import type { CompiledRoute, RouteAction, RouteDestination, RoutingTable } from './route-types.js';
import { compileRe2 } from './string-match.js';

type Forward = Extract<RouteAction, { kind: 'forward' }>;

function hostHeader(raw: string[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') return raw[i + 1];
  return undefined;
}

/** `upgrade` is set for an HTTP Upgrade (WebSocket) request; `res` then writes to its socket. */
export function routeRequest(
  ctx: ForwardContext,
  table: RoutingTable,
  req: IncomingMessage,
  res: ServerResponse,
  upgrade?: Upgrade,
): void {
  const start = performance.now();
  if (req.httpVersion === '1.0') {
    // Envoy rejects HTTP/1.0 unless accept_http_10 is set, which Istio does not set by default.
    sendLocalReply(req, res, 426, undefined, []);
    ctx.metrics.record(UNKNOWN_PREFIX, 426, '-', performance.now() - start);
    return;
  }
  const target = splitTarget(req.url ?? '/', hostHeader(req.rawHeaders));
  if (!target) {
    sendLocalReply(req, res, 404, undefined, []);
    ctx.metrics.record(UNKNOWN_PREFIX, 404, 'NR', performance.now() - start);
    return;
  }
  const facts = requestFacts(req, target.path, target.authority, hostWithoutPort(target.authority));
  const vhost = table.hosts.lookup(facts.host);
  let route: CompiledRoute | undefined;
  if (vhost)
    for (const r of vhost.routes)
      if (r.test(facts)) {
        route = r;
        break;
      }
  if (!route) {
    sendLocalReply(req, res, 404, undefined, []);
    ctx.metrics.record(UNKNOWN_PREFIX, 404, 'NR', performance.now() - start);
    return;
  }
  const action = route.action;
  if (action.kind === 'direct') {
    sendLocalReply(req, res, action.status, action.body, action.responseParsers);
    ctx.metrics.record(UNKNOWN_PREFIX, action.status, '-', performance.now() - start);
  } else if (action.kind === 'redirect') {
    const location = redirectLocation(action, facts.authority, facts.path);
    sendLocalReply(req, res, action.status, undefined, action.responseParsers, ['location', location]);
    ctx.metrics.record(UNKNOWN_PREFIX, action.status, '-', performance.now() - start);
  } else forward(ctx, req, res, route, action, facts.path, start, upgrade);
}

function forward(
  ctx: ForwardContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: CompiledRoute,
  action: Forward,
  path: string,
  start: number,
  upgrade: Upgrade | undefined,
): void {
  const dest = pickDestination(action);
  if (!dest || !dest.cluster) {
    const status = dest?.localReplyStatus ?? 503;
    sendLocalReply(req, res, status, undefined, dest?.responseParsers ?? []);
    ctx.metrics.record(dest?.metrics ?? UNKNOWN_PREFIX, status, 'NC', performance.now() - start);
    return;
  }
  if (dest.cluster.endpoints.length === 0) {
    sendLocalReply(req, res, 503, BODY_NO_HEALTHY_UPSTREAM, dest.responseParsers);
    ctx.metrics.record(dest.metrics, 503, 'UH', performance.now() - start);
    return;
  }
  const upstreamPath = action.rewrite ? rewritePath(route, action.rewrite, path) : path;
  new Exchange(
    ctx,
    req,
    res,
    dest.cluster,
    dest,
    upstreamPath,
    upstreamHeaders(req, dest, upgrade !== undefined),
    start,
    action.timeoutMs,
    upgrade,
  ).run();
}

/** Envoy weighted_clusters: a weighted random pick per request; a single destination always wins. */
function pickDestination(action: Forward): RouteDestination | undefined {
  const ds = action.destinations;
  if (ds.length <= 1) return ds[0];
  let r = Math.random() * action.totalWeight;
  for (const d of ds) {
    r -= d.weight;
    if (r < 0) return d;
  }
  return ds[ds.length - 1];
}

/**
 * Envoy prefix_rewrite swaps the matched prefix (the whole path for exact and regex matches; "/"
 * for a route without uri match); regex_rewrite substitutes on the path without the query.
 */
function rewritePath(route: CompiledRoute, rw: NonNullable<Forward['rewrite']>, path: string): string {
  const q = path.indexOf('?');
  const pathOnly = q === -1 ? path : path.slice(0, q);
  const query = q === -1 ? '' : path.slice(q);
  if (rw.regex) {
    const substitution = rw.regex.substitution.replace(/\$/g, '\\$').replace(/\\(\d)/g, '$$$1');
    return compileRe2(rw.regex.pattern).matcher(pathOnly).replaceAll(substitution) + query;
  }
  if (rw.uri === undefined) return path;
  const matched = route.uri.kind === 'prefix' ? route.uri.value.length : pathOnly.length;
  return normalizePath(rw.uri + path.slice(matched));
}

function redirectLocation(
  a: Extract<RouteAction, { kind: 'redirect' }>,
  authority: string,
  path: string,
): string {
  let host = a.authority ?? authority;
  if (a.port !== undefined) host = `${hostWithoutPortKeepCase(host)}:${a.port}`;
  let target = path;
  if (a.uri !== undefined) {
    const q = path.indexOf('?');
    target = a.uri.includes('?') || q === -1 ? a.uri : a.uri + path.slice(q);
  }
  return `${a.scheme ?? 'http'}://${host}${target}`;
}

function hostWithoutPortKeepCase(authority: string): string {
  const colon = authority.lastIndexOf(':');
  return colon !== -1 && authority.indexOf(']', colon) === -1 ? authority.slice(0, colon) : authority;
}
