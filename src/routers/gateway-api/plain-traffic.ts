// Gateway API's share of "who sends plain traffic to these pods": every HTTPRoute rule — of the
// namespace, or of another one with a backendRef into it — that a request without a tester's
// header or cookie can match, whose backendRefs send it (weight > 0) to a Service of this
// namespace selecting the pods — whatever the route is called and whoever made it.
import type { KubeObject } from '../../kube/types.js';
import {
  everyObject,
  servicesSelecting,
  type NamespaceRouting,
  type PlainRoute,
  type PlainTrafficFinder,
} from '../plain-traffic.js';
import { GATEWAY_API_VERSION } from './settings.js';

type Json = Record<string, unknown>;

function rulesOf(route: KubeObject): Json[] {
  const r = (route.spec as Json | undefined)?.rules;
  return Array.isArray(r) ? (r as Json[]) : [];
}

/**
 * A rule reaches plain users when it has no match (the spec's default: PathPrefix /), or a match
 * that needs no header and no query parameter (path and method matches reach users too).
 * Conservative on purpose, as for Istio: a false "plain" refuses a deploy, a missed one breaks users.
 */
function reachesPlainUsers(rule: Json): boolean {
  const matches = Array.isArray(rule.matches) ? (rule.matches as Json[]) : [];
  if (matches.length === 0) return true;
  return matches.some(
    (m) =>
      (!Array.isArray(m.headers) || m.headers.length === 0) &&
      (!Array.isArray(m.queryParams) || m.queryParams.length === 0),
  );
}

/**
 * The names of the Services of `namespace` a rule of a route in `from` sends traffic to (weight
 * > 0 when `weighted`). A backendRef into another namespace counts whether or not a
 * ReferenceGrant allows it (the safe side, as for a route its Gateway rejected).
 */
function serviceBackends(rule: Json, from: string, namespace: string, weighted: boolean): string[] {
  const refs = (Array.isArray(rule.backendRefs) ? rule.backendRefs : []) as Json[];
  return refs.flatMap((ref) => {
    const group = typeof ref.group === 'string' ? ref.group : '';
    const kind = typeof ref.kind === 'string' ? ref.kind : 'Service';
    const ns = typeof ref.namespace === 'string' ? ref.namespace : from;
    if (group !== '' || kind !== 'Service' || ns !== namespace || typeof ref.name !== 'string') return [];
    if (weighted && ref.weight === 0) return [];
    return [ref.name];
  });
}

export const gatewayApiPlainTraffic: PlainTrafficFinder = {
  kinds: [{ apiVersion: GATEWAY_API_VERSION, kind: 'HTTPRoute' }],
  find(routing: NamespaceRouting, podLabels: Record<string, string>): PlainRoute[] {
    const { namespace } = routing;
    const services = new Set(servicesSelecting(routing.services, podLabels).map((s) => s.metadata.name));
    const found: PlainRoute[] = [];
    for (const route of everyObject(routing, 'HTTPRoute')) {
      const from = route.metadata.namespace ?? namespace;
      const rules = rulesOf(route);
      for (const [i, rule] of rules.entries()) {
        if (!reachesPlainUsers(rule)) continue;
        const service = serviceBackends(rule, from, namespace, true).find((name) => services.has(name));
        if (!service) continue;
        const name = typeof rule.name === 'string' ? `rule "${rule.name}"` : `rules[${i}]`;
        found.push({
          kind: 'HTTPRoute',
          namespace: from,
          name: route.metadata.name,
          via: `${name} → Service ${from === namespace ? service : `${namespace}/${service}`}`,
        });
        break;
      }
    }
    return found;
  },
  backends(routing: NamespaceRouting): string[] {
    return everyObject(routing, 'HTTPRoute').flatMap((route) =>
      rulesOf(route).flatMap((rule) =>
        serviceBackends(rule, route.metadata.namespace ?? routing.namespace, routing.namespace, false),
      ),
    );
  },
};
