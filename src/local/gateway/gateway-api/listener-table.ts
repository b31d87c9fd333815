// The routing table of one Gateway listener: every rule match of every attached HTTPRoute becomes
// one CompiledRoute, sorted by the Gateway API's precedence (route-match.ts) within each hostname;
// a request's Host picks the most specific hostname and falls through to broader ones, so a
// request that matches no rule of `a.example.com` may still match a rule of `*.example.com` or `*`.
// Actions: RequestHeaderModifier / ResponseHeaderModifier (rule and backendRef level),
// RequestRedirect, URLRewrite (full path or prefix, hostname), weighted backendRefs (weight 0
// sends nothing; an invalid backend answers 500 for its share, one without ready endpoints 503).
import type { KubeObject } from '../../store/types.js';
import { CLUSTER_DOMAIN, type ClusterRegistry } from '../clusters.js';
import { asArray, asRecord, byCreation, specOf } from '../config-view.js';
import { parseDurationMs } from '../durations.js';
import { compileHeaderOps, mergeParsers, type HeaderOps, type HeaderParser } from '../header-ops.js';
import { DomainIndex } from '../hosts.js';
import type { ConfigReporter } from '../not-emulated.js';
import type {
  CompiledRoute,
  RouteAction,
  RouteDestination,
  RoutingTable,
  VirtualHost,
} from '../route-types.js';
import type { Attachment } from './attach.js';
import { broaderDomains } from './hostnames.js';
import { compareMatchPrecedence, compileHttpMatch, type CompiledHttpMatch } from './route-match.js';

interface Entry {
  route: CompiledRoute;
  match: CompiledHttpMatch;
  source: KubeObject;
  rule: number;
  index: number;
}

const FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite']);

function compareEntries(a: Entry, b: Entry): number {
  const byMatch = compareMatchPrecedence(a.match.precedence, b.match.precedence);
  if (byMatch !== 0) return byMatch;
  if (a.source !== b.source) {
    const byAge = byCreation(a.source, b.source);
    if (byAge !== 0) return byAge;
    const ka = `${a.source.metadata.namespace}/${a.source.metadata.name}`;
    const kb = `${b.source.metadata.namespace}/${b.source.metadata.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  }
  return a.rule - b.rule || a.index - b.index;
}

/** Gateway API header filters in the shape compileHeaderOps reads (Istio's set/add/remove maps). */
function headerOps(filters: unknown[]): HeaderOps | undefined {
  const shape = (f: Record<string, unknown> | undefined) => {
    if (!f) return undefined;
    const map = (list: unknown) =>
      Object.fromEntries(
        asArray(list)
          .map(asRecord)
          .filter(
            (h): h is Record<string, unknown> => typeof h?.name === 'string' && typeof h.value === 'string',
          )
          .map((h) => [h.name as string, h.value as string]),
      );
    return {
      set: map(f.set),
      add: map(f.add),
      remove: asArray(f.remove).filter((r) => typeof r === 'string'),
    };
  };
  const of = (type: string, field: string) =>
    asRecord(filters.map(asRecord).find((f) => f?.type === type)?.[field]);
  return compileHeaderOps({
    request: shape(of('RequestHeaderModifier', 'requestHeaderModifier')),
    response: shape(of('ResponseHeaderModifier', 'responseHeaderModifier')),
  });
}

function reportFilters(filters: unknown[], route: KubeObject, field: string, reporter: ConfigReporter): void {
  filters.forEach((f, k) => {
    const type = asRecord(f)?.type;
    if (typeof type === 'string' && !FILTERS.has(type))
      reporter.notEmulated(
        'HTTPRoute',
        route.metadata.namespace ?? '',
        route.metadata.name,
        `${field}.filters[${k}].type=${type}`,
        'the filter is ignored',
      );
  });
}

function backend(
  ref: Record<string, unknown>,
  route: KubeObject,
  registry: ClusterRegistry,
  port: number,
  ruleOps: HeaderOps | undefined,
): RouteDestination {
  const ns = route.metadata.namespace ?? '';
  const group = typeof ref.group === 'string' ? ref.group : '';
  const kind = typeof ref.kind === 'string' ? ref.kind : 'Service';
  const refNs = typeof ref.namespace === 'string' ? ref.namespace : ns;
  const fqdn = `${String(ref.name)}.${refNs}.${CLUSTER_DOMAIN}`;
  const valid = group === '' && kind === 'Service' && refNs === ns && typeof ref.port === 'number';
  const resolved = valid
    ? registry.resolve(fqdn, ref.port as number, '', port)
    : { name: fqdn, cluster: undefined };
  const own = headerOps(asArray(ref.filters));
  const requestParsers = [mergeParsers(ruleOps?.request, own?.request)].filter((p): p is HeaderParser => !!p);
  const responseParsers = [mergeParsers(ruleOps?.response, own?.response)].filter(
    (p): p is HeaderParser => !!p,
  );
  return {
    weight: typeof ref.weight === 'number' ? ref.weight : 1,
    clusterName: resolved.name,
    cluster: resolved.cluster,
    metrics: resolved.cluster?.metrics ?? registry.unknownMetrics(fqdn, ''),
    requestParsers,
    responseParsers,
    // The spec: requests for an invalid backend get 500 (a missing cluster at Istio's ingress is 503 NC).
    localReplyStatus: 500,
  };
}

function redirectAction(f: Record<string, unknown>, parsers: HeaderParser[]): RouteAction {
  const path = asRecord(f.path);
  return {
    kind: 'redirect',
    status: typeof f.statusCode === 'number' ? f.statusCode : 302,
    scheme: typeof f.scheme === 'string' ? f.scheme : undefined,
    authority: typeof f.hostname === 'string' ? f.hostname : undefined,
    port: typeof f.port === 'number' ? f.port : undefined,
    uri: typeof path?.replaceFullPath === 'string' ? path.replaceFullPath : undefined,
    responseParsers: parsers,
  };
}

function ruleAction(
  rule: Record<string, unknown>,
  route: KubeObject,
  registry: ClusterRegistry,
  port: number,
): RouteAction {
  const filters = asArray(rule.filters);
  const ops = headerOps(filters);
  const responseParsers = ops?.response ? [ops.response] : [];
  const redirect = asRecord(
    filters.map(asRecord).find((f) => f?.type === 'RequestRedirect')?.requestRedirect,
  );
  if (redirect) return redirectAction(redirect, responseParsers);
  const destinations = asArray(rule.backendRefs)
    .map((r) => backend(asRecord(r) ?? {}, route, registry, port, ops))
    .filter((d) => d.weight > 0);
  if (destinations.length === 0) return { kind: 'direct', status: 500, responseParsers };
  const rewrite = asRecord(filters.map(asRecord).find((f) => f?.type === 'URLRewrite')?.urlRewrite);
  const rewritePath = asRecord(rewrite?.path);
  const uri =
    typeof rewritePath?.replaceFullPath === 'string'
      ? rewritePath.replaceFullPath
      : typeof rewritePath?.replacePrefixMatch === 'string'
        ? rewritePath.replacePrefixMatch
        : undefined;
  if (typeof rewrite?.hostname === 'string') for (const d of destinations) d.authority = rewrite.hostname;
  const timeouts = asRecord(rule.timeouts);
  return {
    kind: 'forward',
    destinations,
    totalWeight: destinations.reduce((a, d) => a + d.weight, 0),
    timeoutMs: parseDurationMs(timeouts?.request) ?? 0,
    rewrite: uri === undefined ? undefined : { uri },
  };
}

function entriesOf(
  route: KubeObject,
  registry: ClusterRegistry,
  port: number,
  reporter: ConfigReporter,
): Entry[] {
  const out: Entry[] = [];
  const source = `HTTPRoute ${route.metadata.namespace}/${route.metadata.name}`;
  asArray(specOf(route).rules).forEach((raw, i) => {
    const rule = asRecord(raw) ?? {};
    reportFilters(asArray(rule.filters), route, `spec.rules[${i}]`, reporter);
    const action = ruleAction(rule, route, registry, port);
    const fullPathRewrite =
      action.kind === 'forward' &&
      action.rewrite !== undefined &&
      typeof asRecord(
        asRecord(
          asArray(rule.filters)
            .map(asRecord)
            .find((f) => f?.type === 'URLRewrite')?.urlRewrite,
        )?.path,
      )?.replaceFullPath === 'string';
    const matches = asArray(rule.matches);
    (matches.length ? matches : [undefined]).forEach((m, j) => {
      const match = compileHttpMatch(m);
      const kind = fullPathRewrite || match.precedence.pathType !== 'PathPrefix' ? 'exact' : 'prefix';
      out.push({
        match,
        source: route,
        rule: i,
        index: j,
        route: {
          name: `${route.metadata.namespace}.${route.metadata.name}.${i}.${j}`,
          source,
          test: match.test,
          catchAll: false,
          uri: {
            kind,
            value: match.pathValue === '/' ? '' : match.pathValue.replace(/\/$/, ''),
            ignoreCase: false,
          },
          action,
        },
      });
    });
  });
  return out;
}

/** The table of one listener; `version` is the gateway's routing-table version. */
export function listenerTable(
  attachments: Attachment[],
  registry: ClusterRegistry,
  port: number,
  version: number,
  reporter: ConfigReporter,
): RoutingTable {
  const byDomain = new Map<string, Entry[]>();
  for (const { route, hostnames } of attachments) {
    const entries = entriesOf(route, registry, port, reporter);
    for (const h of hostnames) byDomain.set(h, [...(byDomain.get(h) ?? []), ...entries]);
  }
  for (const list of byDomain.values()) list.sort(compareEntries);
  const hosts = new DomainIndex<VirtualHost>();
  for (const [domain, entries] of byDomain) {
    const fallThrough = broaderDomains(domain, byDomain.keys()).flatMap((d) => byDomain.get(d)!);
    hosts.add(domain, { domain, routes: [...entries, ...fallThrough].map((e) => e.route) });
  }
  hosts.seal();
  return { version, hosts, serverPorts: [port] };
}
