// A VirtualService's `http[]` turned into the ordered Envoy routes of one gateway server, as
// route.go BuildHTTPRoutesForVirtualService does: one route per match block (blocks are ORed),
// blocks excluded by `port`, `gateways`, `sourceLabels` or `sourceNamespace` dropped, and nothing
// after the first catch-all kept.
import type { KubeObject } from '../store/types.js';
import { resolveHost, type ClusterRegistry } from './clusters.js';
import { asArray, asRecord, asStringMap, specOf } from './config-view.js';
import { parseDurationMs } from './durations.js';
import { GATEWAY_POD_LABELS, resolveGatewayName } from './gateway-servers.js';
import { compileHeaderOps, mergeParsers, type HeaderParser } from './header-ops.js';
import { GATEWAY_NAMESPACE } from './metrics-labels.js';
import { reportUnhandledKeys, type ConfigReporter } from './not-emulated.js';
import { compileMatch } from './route-match.js';
import type { CompiledRoute, RouteAction, RouteDestination } from './route-types.js';
import { compileRe2 } from './string-match.js';

const HTTP_KEYS = new Set([
  'name',
  'match',
  'route',
  'redirect',
  'directResponse',
  'rewrite',
  'timeout',
  'headers',
]);
const MATCH_KEYS = new Set([
  'name',
  'uri',
  'scheme',
  'method',
  'authority',
  'headers',
  'port',
  'queryParams',
  'ignoreUriCase',
  'withoutHeaders',
  'sourceLabels',
  'sourceNamespace',
  'gateways',
  'statPrefix',
]);
const DEST_KEYS = new Set(['destination', 'weight', 'headers']);
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

export interface RouteContext {
  vs: KubeObject;
  gateway: string;
  serverPort: number;
  registry: ClusterRegistry;
  reporter: ConfigReporter;
}

const ref = (vs: KubeObject) => ({
  kind: 'VirtualService',
  ns: vs.metadata.namespace ?? '',
  name: vs.metadata.name,
});

/** Reports the fields of a VirtualService the gateway does not act on (each once). */
export function reportVirtualService(vs: KubeObject, reporter: ConfigReporter): void {
  const r = ref(vs);
  reportUnhandledKeys(reporter, r, specOf(vs), new Set(['hosts', 'gateways', 'http', 'exportTo']), '');
  asArray(specOf(vs).http).forEach((h, i) => {
    reportUnhandledKeys(reporter, r, h, HTTP_KEYS, `http[${i}].`);
    const http = asRecord(h) ?? {};
    asArray(http.match).forEach((m, j) =>
      reportUnhandledKeys(reporter, r, m, MATCH_KEYS, `http[${i}].match[${j}].`),
    );
    asArray(http.route).forEach((d, j) =>
      reportUnhandledKeys(reporter, r, d, DEST_KEYS, `http[${i}].route[${j}].`),
    );
    reportUnhandledKeys(
      reporter,
      r,
      http.rewrite,
      new Set(['uri', 'authority', 'uriRegexRewrite']),
      `http[${i}].rewrite.`,
    );
  });
}

/** Throws (with a message naming the field) when the VS holds something Istio's validation rejects. */
export function buildRoutes(ctx: RouteContext): CompiledRoute[] {
  const out: CompiledRoute[] = [];
  const source = `${ctx.vs.metadata.namespace}/${ctx.vs.metadata.name}`;
  for (const [i, raw] of asArray(specOf(ctx.vs).http).entries()) {
    const http = asRecord(raw) ?? {};
    const action = buildAction(ctx, http, i);
    const matches = asArray(http.match);
    const blocks = matches.length === 0 ? [undefined] : matches;
    let catchAll = false;
    for (const [j, block] of blocks.entries()) {
      if (block !== undefined && !appliesHere(ctx, asRecord(block) ?? {})) continue;
      const m = withField(`http[${i}].match[${j}]`, () =>
        compileMatch(block, (key) =>
          ctx.reporter.notEmulated(
            'VirtualService',
            ref(ctx.vs).ns,
            ref(ctx.vs).name,
            `http[${i}].match[${j}].${key}`,
            'the match block never matches (no JWT claims at the local gateway)',
          ),
        ),
      );
      const blockName = asRecord(block)?.name;
      const name =
        typeof http.name === 'string'
          ? http.name + (typeof blockName === 'string' && blockName ? `.${blockName}` : '')
          : '';
      if (!action) continue;
      out.push({ name, source, test: m.test, catchAll: m.catchAll, uri: m.uri, action });
      if (m.catchAll) {
        catchAll = true;
        break;
      }
    }
    if (catchAll) break;
  }
  return out;
}

function withField<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new Error(`${field}: ${(err as Error).message}`, { cause: err });
  }
}

/** route.go translateRoute: the match port must be the server's; sourceMatchHTTP for gateways/labels. */
function appliesHere(ctx: RouteContext, m: Record<string, unknown>): boolean {
  if (typeof m.port === 'number' && m.port !== 0 && m.port !== ctx.serverPort) return false;
  const gateways = asArray(m.gateways).filter((g): g is string => typeof g === 'string');
  if (gateways.length > 0)
    return gateways.some((g) => resolveGatewayName(g, ctx.vs.metadata.namespace ?? '') === ctx.gateway);
  const labelsOk = Object.entries(asStringMap(m.sourceLabels)).every(([k, v]) => GATEWAY_POD_LABELS[k] === v);
  return (
    labelsOk &&
    (typeof m.sourceNamespace !== 'string' ||
      m.sourceNamespace === '' ||
      m.sourceNamespace === GATEWAY_NAMESPACE)
  );
}

function invalidHeader(ctx: RouteContext, field: string): (message: string) => void {
  return (message) =>
    ctx.reporter.problem(
      'VirtualService',
      ref(ctx.vs).ns,
      ref(ctx.vs).name,
      `${field}: ${message}; Istio rejects it, the local gateway skips this operation`,
    );
}

function buildAction(ctx: RouteContext, http: Record<string, unknown>, i: number): RouteAction | undefined {
  const ops = compileHeaderOps(http.headers, invalidHeader(ctx, `http[${i}].headers`));
  const responseParsers = ops?.response ? [ops.response] : [];
  const redirect = asRecord(http.redirect);
  if (redirect) return redirectAction(ctx, redirect, responseParsers, i);
  const direct = asRecord(http.directResponse);
  if (direct) {
    const body = asRecord(direct.body);
    const bytes =
      typeof body?.string === 'string'
        ? Buffer.from(body.string)
        : typeof body?.bytes === 'string'
          ? Buffer.from(body.bytes, 'base64')
          : undefined;
    return {
      kind: 'direct',
      status: typeof direct.status === 'number' ? direct.status : 200,
      body: bytes,
      responseParsers,
    };
  }
  const route = asArray(http.route);
  if (route.length === 0) {
    ctx.reporter.problem(
      'VirtualService',
      ref(ctx.vs).ns,
      ref(ctx.vs).name,
      `http[${i}] has no route, redirect or directResponse; Istio rejects it, the local gateway skips the rule`,
    );
    return undefined;
  }
  return forwardAction(ctx, http, route, ops, i);
}

function redirectAction(
  ctx: RouteContext,
  r: Record<string, unknown>,
  responseParsers: HeaderParser[],
  i: number,
): RouteAction | undefined {
  const status = typeof r.redirectCode === 'number' && r.redirectCode !== 0 ? r.redirectCode : 301;
  if (!REDIRECT_CODES.has(status)) {
    ctx.reporter.problem(
      'VirtualService',
      ref(ctx.vs).ns,
      ref(ctx.vs).name,
      `http[${i}].redirect.redirectCode ${status} is not supported by Istio; the rule is skipped`,
    );
    return undefined;
  }
  let port =
    typeof r.port === 'number' ? r.port : r.derivePort === 'FROM_REQUEST_PORT' ? ctx.serverPort : undefined;
  const scheme = typeof r.scheme === 'string' && r.scheme !== '' ? r.scheme : undefined;
  // Istio drops an explicit default port for the scheme.
  if ((port === 80 && (scheme ?? 'http') === 'http') || (port === 443 && scheme === 'https'))
    port = undefined;
  const authority = typeof r.authority === 'string' && r.authority !== '' ? r.authority : undefined;
  const uri = typeof r.uri === 'string' && r.uri !== '' ? r.uri : undefined;
  if (/[^\x21-\x7e]/.test(`${scheme ?? ''}${authority ?? ''}${uri ?? ''}`)) {
    ctx.reporter.problem(
      'VirtualService',
      ref(ctx.vs).ns,
      ref(ctx.vs).name,
      `http[${i}].redirect has characters that cannot go in a Location header; the rule is skipped`,
    );
    return undefined;
  }
  return { kind: 'redirect', status, scheme, authority, uri, port, responseParsers };
}

function forwardAction(
  ctx: RouteContext,
  http: Record<string, unknown>,
  route: unknown[],
  ops: ReturnType<typeof compileHeaderOps>,
  i: number,
): RouteAction {
  const rewrite = asRecord(http.rewrite);
  const rewriteAuthority =
    typeof rewrite?.authority === 'string' && rewrite.authority ? rewrite.authority : undefined;
  if (rewriteAuthority !== undefined && /[^\x21-\x7e]/.test(rewriteAuthority))
    throw new Error(`http[${i}].rewrite.authority has characters a Host header cannot hold`);
  const routeAuthority = rewriteAuthority ?? ops?.authority;
  const single = route.length === 1;
  const destinations: RouteDestination[] = [];
  for (const raw of route) {
    const d = asRecord(raw) ?? {};
    const weight = typeof d.weight === 'number' ? d.weight : 0;
    if (!single && weight <= 0) continue; // Istio drops weight-0 entries when there are several.
    destinations.push(destination(ctx, d, single ? 100 : weight, single, ops, routeAuthority));
  }
  const totalWeight = destinations.reduce((a, d) => a + d.weight, 0);
  if (destinations.length === 0) {
    ctx.reporter.problem(
      'VirtualService',
      ref(ctx.vs).ns,
      ref(ctx.vs).name,
      `http[${i}].route: total destination weight = 0 (Istio rejects this); requests get 503`,
    );
  }
  const timeoutMs = parseDurationMs(http.timeout) ?? 0;
  return { kind: 'forward', destinations, totalWeight, timeoutMs, rewrite: compileRewrite(rewrite, i) };
}

function compileRewrite(
  rewrite: Record<string, unknown> | undefined,
  i: number,
): { uri?: string; regex?: { pattern: string; substitution: string } } | undefined {
  if (!rewrite) return undefined;
  const rr = asRecord(rewrite.uriRegexRewrite);
  if (rr && typeof rr.match === 'string' && typeof rr.rewrite === 'string') {
    withField(`http[${i}].rewrite.uriRegexRewrite.match`, () => compileRe2(rr.match as string));
    return { regex: { pattern: rr.match, substitution: rr.rewrite } };
  }
  if (typeof rewrite.uri !== 'string' || rewrite.uri === '') return undefined;
  if (/[^\x21-\x7e]/.test(rewrite.uri))
    throw new Error(`http[${i}].rewrite.uri has characters a request path cannot hold`);
  return { uri: rewrite.uri };
}

function destination(
  ctx: RouteContext,
  d: Record<string, unknown>,
  weight: number,
  single: boolean,
  routeOps: ReturnType<typeof compileHeaderOps>,
  routeAuthority: string | undefined,
): RouteDestination {
  const dest = asRecord(d.destination) ?? {};
  const host = resolveHost(typeof dest.host === 'string' ? dest.host : '', ctx.vs.metadata.namespace ?? '');
  const portNumber = asRecord(dest.port)?.number;
  const subset = typeof dest.subset === 'string' ? dest.subset : '';
  const { name, cluster } = ctx.registry.resolve(
    host,
    typeof portNumber === 'number' ? portNumber : undefined,
    subset,
    ctx.serverPort,
  );
  const own = compileHeaderOps(d.headers, invalidHeader(ctx, 'http[].route[].headers'));
  // Single destination: Istio appends the destination's operations to the route's. Weighted: Envoy
  // evaluates the weighted-cluster operations first, then the route's.
  const requestParsers = single
    ? [mergeParsers(routeOps?.request, own?.request)]
    : [own?.request, routeOps?.request];
  const responseParsers = single
    ? [mergeParsers(routeOps?.response, own?.response)]
    : [own?.response, routeOps?.response];
  return {
    weight,
    clusterName: name,
    cluster,
    metrics: cluster?.metrics ?? ctx.registry.unknownMetrics(host, subset),
    requestParsers: requestParsers.filter((p): p is HeaderParser => p !== undefined),
    responseParsers: responseParsers.filter((p): p is HeaderParser => p !== undefined),
    authority: routeAuthority ?? own?.authority,
  };
}
