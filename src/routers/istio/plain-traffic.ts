// Istio's share of "who sends plain traffic to these pods": every VirtualService http entry — of
// the namespace, or of another one whose host names a Service here (`myapp.shop.svc.cluster.local`)
// — that a request without a tester's header or cookie can match, whose destination is a Service
// of this namespace selecting the pods, narrowed by the DestinationRule subset it names.
import type { KubeObject } from '../../kube/types.js';
import { httpRoutes, subsetsOf } from './router.js';
import {
  everyObject,
  selects,
  serviceOfHostFrom,
  servicesSelecting,
  type NamespaceRouting,
  type PlainRoute,
  type PlainTrafficFinder,
} from '../plain-traffic.js';

const ISTIO_API = 'networking.istio.io/v1beta1';

type Match = { headers?: Record<string, unknown>; queryParams?: Record<string, unknown> };

/**
 * Plain users send no tester header or query: an entry reaches them when it has no match, or a
 * match that needs neither (uri, method, authority… match users too). Conservative on purpose:
 * counting a route as plain that is not refuses a deploy; the other mistake breaks users.
 */
function reachesPlainUsers(match: unknown[] | undefined): boolean {
  if (!Array.isArray(match) || match.length === 0) return true;
  return match.some((m) => {
    const x = (m ?? {}) as Match;
    return Object.keys(x.headers ?? {}).length === 0 && Object.keys(x.queryParams ?? {}).length === 0;
  });
}

/**
 * The labels each DestinationRule (of any namespace we listed) gives `subset` of the Service; a
 * rule's host is resolved from its own namespace. Istio picks one rule (the client's namespace,
 * then the Service's); all are taken here, the safe side.
 */
function subsetLabels(
  rules: KubeObject[],
  namespace: string,
  service: string,
  subset: string,
): Array<Record<string, string>> {
  return rules.flatMap((dr) => {
    const host = (dr.spec as { host?: string })?.host;
    if (serviceOfHostFrom(host, dr.metadata.namespace ?? namespace, namespace) !== service) return [];
    const found = subsetsOf(dr).find((s) => s.name === subset);
    return found ? [found.labels ?? {}] : [];
  });
}

export const istioPlainTraffic: PlainTrafficFinder = {
  kinds: [
    { apiVersion: ISTIO_API, kind: 'VirtualService' },
    { apiVersion: ISTIO_API, kind: 'DestinationRule' },
  ],
  find(routing: NamespaceRouting, podLabels: Record<string, string>): PlainRoute[] {
    const { namespace } = routing;
    const services = new Set(servicesSelecting(routing.services, podLabels).map((s) => s.metadata.name));
    const rules = everyObject(routing, 'DestinationRule');
    const found: PlainRoute[] = [];
    for (const vs of everyObject(routing, 'VirtualService')) {
      const from = vs.metadata.namespace ?? namespace;
      httpRoutes(vs).forEach((entry, i) => {
        if (!reachesPlainUsers(entry.match)) return;
        for (const d of entry.route ?? []) {
          if (d.weight === 0) continue;
          const service = serviceOfHostFrom(d.destination?.host, from, namespace);
          if (!service || !services.has(service)) continue;
          const subset = d.destination?.subset;
          // A subset no DestinationRule defines gets no traffic (Istio answers 503).
          const narrowed = subset ? subsetLabels(rules, namespace, service, subset) : [{}];
          if (!narrowed.some((l) => Object.keys(l).length === 0 || selects(l, podLabels))) continue;
          const name = entry.name ? `route "${entry.name}"` : `http[${i}]`;
          const target = from === namespace ? service : `${namespace}/${service}`;
          found.push({
            kind: 'VirtualService',
            namespace: from,
            name: vs.metadata.name,
            via: `${name} → Service ${target}${subset ? `, subset ${subset}` : ''}`,
          });
          return;
        }
      });
    }
    return found;
  },
  backends(routing: NamespaceRouting): string[] {
    return everyObject(routing, 'VirtualService').flatMap((vs) =>
      httpRoutes(vs).flatMap((entry) =>
        (entry.route ?? []).flatMap(
          (d) =>
            serviceOfHostFrom(
              d.destination?.host,
              vs.metadata.namespace ?? routing.namespace,
              routing.namespace,
            ) ?? [],
        ),
      ),
    );
  },
};
