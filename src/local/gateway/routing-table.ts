// Compiles the proxy's view of the cluster into the routing table of the one ingress listener,
// following gateway.go buildGatewayHTTPRouteConfig: for each served Gateway server, each bound
// VirtualService (sorted by creationTimestamp, name, namespace) contributes its routes to one
// virtual host per intersecting host name; catch-all routes then move last, stably.
import type { KubeObject } from '../store/types.js';
import { ClusterRegistry } from './clusters.js';
import { asArray, byCreation, specOf, visibleFrom, type ConfigView } from './config-view.js';
import {
  gatewayServers,
  hostsForNamespace,
  resolveGatewayName,
  servedPorts,
  type GatewayServer,
} from './gateway-servers.js';
import { DomainIndex, intersectHosts } from './hosts.js';
import { GATEWAY_NAMESPACE } from './metrics-labels.js';
import { reportUnhandledKeys, type ConfigReporter } from './not-emulated.js';
import type { CompiledRoute, RoutingTable, VirtualHost } from './route-types.js';
import { buildRoutes, reportVirtualService } from './vs-routes.js';

interface BoundVs {
  vs: KubeObject;
  gateways: Set<string>;
  hosts: string[];
}

function boundVirtualServices(view: ConfigView, reporter: ConfigReporter): BoundVs[] {
  const out: BoundVs[] = [];
  for (const vs of [...view.virtualservices.values()].sort(byCreation)) {
    if (!visibleFrom(vs, GATEWAY_NAMESPACE)) continue;
    const ns = vs.metadata.namespace ?? '';
    // An omitted `gateways` means `mesh` only: such a VS never reaches the ingress gateway.
    const names = asArray(specOf(vs).gateways).filter(
      (g): g is string => typeof g === 'string' && g !== 'mesh',
    );
    if (names.length === 0) continue;
    reportVirtualService(vs, reporter);
    const hosts = asArray(specOf(vs).hosts)
      .filter((h): h is string => typeof h === 'string')
      .map((h) => h.toLowerCase());
    out.push({ vs, gateways: new Set(names.map((g) => resolveGatewayName(g, ns))), hosts });
  }
  return out;
}

function reportDestinationRules(view: ConfigView, reporter: ConfigReporter): void {
  for (const dr of view.destinationrules.values()) {
    const r = { kind: 'DestinationRule', ns: dr.metadata.namespace ?? '', name: dr.metadata.name };
    reportUnhandledKeys(reporter, r, specOf(dr), new Set(['host', 'subsets', 'exportTo']), '');
    asArray(specOf(dr).subsets).forEach((s, i) =>
      reportUnhandledKeys(reporter, r, s, new Set(['name', 'labels']), `subsets[${i}].`),
    );
  }
}

/** Routes of one VS for one server, or undefined (logged) when Istio would reject the VS. */
function routesFor(
  b: BoundVs,
  server: GatewayServer,
  registry: ClusterRegistry,
  reporter: ConfigReporter,
): CompiledRoute[] | undefined {
  try {
    return buildRoutes({ vs: b.vs, gateway: server.gateway, serverPort: server.port, registry, reporter });
  } catch (err) {
    reporter.problem(
      'VirtualService',
      b.vs.metadata.namespace ?? '',
      b.vs.metadata.name,
      `${(err as Error).message}; Istio rejects this VirtualService, the local gateway ignores it`,
    );
    return undefined;
  }
}

/**
 * Several VirtualServices for one host on one gateway are merged, as Istio does it: in
 * creationTimestamp-then-name order, which Istio's docs call undefined. Said out loud, because
 * one app's routes then take another app's requests.
 */
function reportMerges(
  sources: Map<string, Array<{ vs: KubeObject; gateway: string }>>,
  reporter: ConfigReporter,
): void {
  const ref = (x: { vs: KubeObject; gateway: string }) =>
    `${x.vs.metadata.namespace}/${x.vs.metadata.name} (Gateway ${x.gateway})`;
  for (const [host, list] of sources) {
    if (list.length < 2) continue;
    const [first, ...rest] = list;
    reporter.problem(
      'VirtualService',
      first!.vs.metadata.namespace ?? '',
      first!.vs.metadata.name,
      `shares host "${host}" on the ingress gateway with ${rest.map(ref).join(', ')}; their routes are merged into one virtual host in the order ${list.map(ref).join(', ')} (creationTimestamp, then name: Istio documents this order as undefined), catch-all routes last — give each its own host`,
    );
  }
}

export function compileRoutingTable(
  view: ConfigView,
  listenPort: number,
  version: number,
  reporter: ConfigReporter,
): RoutingTable {
  const serverPorts = servedPorts(view, listenPort);
  const servers = gatewayServers(view, serverPorts, reporter);
  const bound = boundVirtualServices(view, reporter);
  reportDestinationRules(view, reporter);
  const registry = new ClusterRegistry(view, reporter);
  const byDomain = new Map<string, CompiledRoute[]>();
  const sources = new Map<string, Array<{ vs: KubeObject; gateway: string }>>();
  for (const server of servers) {
    for (const b of bound) {
      if (!b.gateways.has(server.gateway)) continue;
      const domains = intersectHosts(hostsForNamespace(server, b.vs.metadata.namespace ?? ''), b.hosts);
      if (domains.length === 0) continue;
      const routes = routesFor(b, server, registry, reporter);
      if (!routes) continue;
      for (const d of domains) {
        byDomain.set(d, [...(byDomain.get(d) ?? []), ...routes]);
        // Keyed by host only: Gateways on the same pods and port share one route table.
        const from = sources.get(d) ?? [];
        if (!from.some((x) => x.vs === b.vs))
          sources.set(d, [...from, { vs: b.vs, gateway: server.gateway }]);
      }
    }
  }
  reportMerges(sources, reporter);
  const hosts = new DomainIndex<VirtualHost>();
  for (const [domain, routes] of byDomain) {
    // SortVHostRoutes: catch-alls last, everything else in order (gateways only).
    hosts.add(domain, {
      domain,
      routes: [...routes.filter((r) => !r.catchAll), ...routes.filter((r) => r.catchAll)],
    });
  }
  hosts.seal();
  return { version, hosts, serverPorts };
}
