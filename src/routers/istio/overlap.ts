// Other VirtualServices on the same Gateway that claim this app's hosts, as Istio sees them
// (pilot gateway.go buildGatewayHTTPRouteConfig; reference §1.1):
// - On each Gateway server, a VirtualService serves the intersection of its hosts with the
//   server's hosts (the more specific of each overlapping pair; `ns/host` server entries only
//   for VirtualServices in that namespace).
// - VirtualServices with the SAME resulting host name are merged into one virtual host: their
//   routes are concatenated in an order the docs call undefined (in practice creationTimestamp,
//   then name), and catch-alls move last. Two apps there means one app's catch-all default route
//   shadows the other's and whichever test route comes first takes both apps' testers: refused.
// - Different host names that cover each other (`*` and `shop.example.com`) become separate
//   virtual hosts; Envoy sends each request to the most specific one. Deterministic, but the
//   more specific app takes those requests from the wildcard one: a warning.
import type { KubeClient, KubeObject } from '../../kube/types.js';
import { UnreachableError } from '../../errors.js';
import type { RouteOverlap } from '../types.js';
import type { RouteSettings } from './settings.js';

const ISTIO_API = 'networking.istio.io/v1beta1';

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** `<ns>/<name>` as Istio resolves a VirtualService's gateway reference; undefined for `mesh`. */
export function resolveGateway(ref: string, namespace: string): string | undefined {
  if (ref === 'mesh') return undefined;
  if (ref.includes('/')) return ref;
  if (ref.includes('.')) {
    const [name, ns] = ref.split('.');
    return `${ns}/${name}`;
  }
  return `${namespace}/${ref}`;
}

/** Istio Name.SubsetOf for host names (lower-cased; a leading `*` is a wildcard). */
export function hostCovers(wide: string, narrow: string): boolean {
  if (narrow.startsWith('*')) return wide.startsWith('*') && narrow.slice(1).endsWith(wide.slice(1));
  if (wide.startsWith('*')) return narrow.endsWith(wide.slice(1));
  return wide === narrow;
}

/** The host names a VirtualService serves on a Gateway (Istio Names.Intersection). */
export function servedHosts(serverHosts: string[], vsHosts: string[], vsNs: string, gwNs: string): string[] {
  const applicable = serverHosts.flatMap((h) => {
    const slash = h.indexOf('/');
    if (slash === -1) return [h];
    const ns = h.slice(0, slash);
    return ns === '*' || ns === vsNs || (ns === '.' && gwNs === vsNs) ? [h.slice(slash + 1)] : [];
  });
  const out: string[] = [];
  for (const s of applicable.map((h) => h.toLowerCase())) {
    for (const v of vsHosts.map((h) => h.toLowerCase())) {
      const pick = hostCovers(v, s) ? s : hostCovers(s, v) ? v : undefined;
      if (pick !== undefined && !out.includes(pick)) out.push(pick);
    }
  }
  return out;
}

/** One Gateway as the proxies see it: which pods (selector) and, per port, which hosts. */
export interface GatewayInfo {
  /** JSON of spec.selector; pods selected by equal selectors share listeners. */
  selector: string;
  servers: Array<{ port: number; hosts: string[] }>;
}

export interface OverlapInput {
  /** This app's routes. */
  settings: RouteSettings;
  /** Every VirtualService we could list (ours among them is skipped). */
  virtualServices: KubeObject[];
  /** Gateway `<ns>/<name>` → what it serves; absent = unknown (taken as every host on any port). */
  gateways: Map<string, GatewayInfo>;
}

export function gatewayInfo(gw: KubeObject): GatewayInfo {
  const spec = (gw.spec ?? {}) as {
    selector?: unknown;
    servers?: Array<{ port?: { number?: number }; hosts?: unknown }>;
  };
  return {
    selector: JSON.stringify(Object.entries(spec.selector ?? {}).sort()),
    servers: (spec.servers ?? []).map((srv) => ({ port: srv.port?.number ?? 0, hosts: strings(srv.hosts) })),
  };
}

interface Server {
  gateway: string;
  selector?: string;
  port?: number;
  hosts: string[];
}

function serversOf(ref: string, info: GatewayInfo | undefined): Server[] {
  if (!info) return [{ gateway: ref, hosts: ['*'] }];
  return info.servers.map((srv) => ({
    gateway: ref,
    selector: info.selector,
    port: srv.port,
    hosts: srv.hosts,
  }));
}

/**
 * Servers of two Gateways land on the same listener (and their VirtualServices in one route
 * table, merged by host name) when they are the same Gateway, or when both select the same
 * ingress pods and use the same port (pilot merges the Gateways of a proxy by port).
 */
function sameListener(a: Server, b: Server): boolean {
  if (a.gateway === b.gateway) return a.port === undefined || b.port === undefined || a.port === b.port;
  return a.selector !== undefined && a.selector === b.selector && a.port === b.port;
}

/** Pure: what the gateway would do with this app's hosts next to the others'. */
export function findOverlaps(input: OverlapInput): RouteOverlap[] {
  const s = input.settings;
  const mine = s.gateways
    .map((g) => resolveGateway(g, s.namespace))
    .filter((g): g is string => !!g)
    .flatMap((ref) => serversOf(ref, input.gateways.get(ref)));
  const out = new Map<string, RouteOverlap>();
  for (const vs of input.virtualServices) {
    const ns = vs.metadata.namespace ?? '';
    if (ns === s.namespace && vs.metadata.name === s.virtualServiceName) continue;
    const spec = (vs.spec ?? {}) as { gateways?: unknown; hosts?: unknown; http?: unknown };
    if (!Array.isArray(spec.http) || spec.http.length === 0) continue;
    const theirs = strings(spec.gateways)
      .map((g) => resolveGateway(g, ns))
      .filter((g): g is string => !!g)
      .flatMap((ref) => serversOf(ref, input.gateways.get(ref)));
    for (const a of mine) {
      for (const b of theirs.filter((t) => sameListener(a, t))) {
        const ours = servedHosts(a.hosts, s.hosts, s.namespace, a.gateway.split('/')[0]!);
        const other = servedHosts(b.hosts, strings(spec.hosts), ns, b.gateway.split('/')[0]!);
        const where =
          a.gateway === b.gateway
            ? `Gateway ${a.gateway}`
            : `Gateway ${b.gateway} (same ingress pods and port ${a.port} as ${a.gateway})`;
        for (const found of overlapsOn(where, `VirtualService ${ns}/${vs.metadata.name}`, ours, other, s)) {
          const o = { ...found, gateway: b.gateway };
          if (!out.has(`${o.other} ${o.host}`) || o.severity === 'refuse') out.set(`${o.other} ${o.host}`, o);
        }
      }
    }
  }
  return [...out.values()];
}

function overlapsOn(
  gw: string,
  other: string,
  ours: string[],
  theirs: string[],
  s: RouteSettings,
): RouteOverlap[] {
  const out: RouteOverlap[] = [];
  const me = `VirtualService ${s.namespace}/${s.virtualServiceName}`;
  for (const host of ours) {
    if (theirs.includes(host)) {
      out.push({
        severity: 'refuse',
        other,
        gateway: gw,
        host,
        message: `${other} also routes host "${host}" on ${gw}: Istio merges both into one virtual host in an undefined order, so one app's default route would take the other's requests and testers`,
        remedy: `give each app its own host on the gateway (e.g. gateway.hosts: [${s.virtualServiceName}.example.com]), or serve ${me} from other ingress pods or another port`,
      });
      continue;
    }
    for (const t of theirs) {
      if (hostCovers(host, t) || hostCovers(t, host)) {
        const [narrow, owner] = hostCovers(host, t) ? [t, other] : [host, me];
        out.push({
          severity: 'warn',
          other,
          gateway: gw,
          host: narrow,
          message: `${other} routes host "${t}" on ${gw}, which overlaps "${host}": requests for ${narrow} go to ${owner} (the most specific host wins)`,
          remedy: 'make the hosts distinct if that is not what you want',
        });
      }
    }
  }
  return out;
}

/** Reads every VirtualService (all namespaces; this one only when RBAC forbids that) and the gateways. */
export async function readOverlaps(
  kube: KubeClient,
  settings: RouteSettings,
): Promise<{
  overlaps: RouteOverlap[];
  scope: 'cluster' | 'namespace';
}> {
  let scope: 'cluster' | 'namespace' = 'cluster';
  let items: KubeObject[];
  try {
    items = (await kube.list(ISTIO_API, 'VirtualService', '')).items;
  } catch (err) {
    if (!(err instanceof UnreachableError) || !/\(403/.test(err.message)) throw err;
    scope = 'namespace';
    items = (await kube.list(ISTIO_API, 'VirtualService', settings.namespace)).items;
  }
  const gateways = new Map<string, GatewayInfo>();
  const listed = await kube.list(ISTIO_API, 'Gateway', scope === 'cluster' ? '' : settings.namespace);
  for (const gw of listed.items)
    gateways.set(`${gw.metadata.namespace}/${gw.metadata.name}`, gatewayInfo(gw));
  // The Gateway this deploy will create is judged as it will be.
  const own = settings.gateway;
  if (own) gateways.set(`${settings.namespace}/${own.metadata.name}`, gatewayInfo(own));
  return { overlaps: findOverlaps({ settings, virtualServices: items, gateways }), scope };
}
