// The status this controller writes, as a real Gateway API controller does: GatewayClass
// `Accepted`; Gateway `Accepted`/`Programmed`, `status.addresses` and one entry per listener
// (supportedKinds, attachedRoutes, Accepted/Programmed/ResolvedRefs/Conflicted); HTTPRoute
// `status.parents[]` entries for the parents it owns (other controllers' entries are kept).
// A write happens only when something other than lastTransitionTime changed, so writing status
// (which the gateway itself watches) settles after one round.
import { findResource } from '../../resources.js';
import type { KubeObject, ObjectStore } from '../../store/types.js';
import { condition, withTransitionTimes, type Condition } from './conditions.js';
import { GATEWAY_API_GROUP } from './attach.js';
import { LOCAL_CONTROLLER_NAME, type GatewayApiConfig, type ServedGateway } from './compile.js';
import type { BoundGateway } from './servers.js';

const CLASSES = findResource(GATEWAY_API_GROUP, 'gatewayclasses')!;
const GATEWAYS = findResource(GATEWAY_API_GROUP, 'gateways')!;
const ROUTES = findResource(GATEWAY_API_GROUP, 'httproutes')!;

type Json = Record<string, unknown>;

function writeStatus(
  store: ObjectStore,
  resource: typeof CLASSES,
  namespace: string | undefined,
  name: string,
  build: (current: KubeObject) => Json,
): void {
  const current = store.get(resource, namespace, name);
  if (!current || current.metadata.deletionTimestamp) return;
  const status = build(current);
  if (JSON.stringify(status) === JSON.stringify(current.status ?? {})) return;
  try {
    store.update(resource, { ...current, status }, { subresource: 'status' });
  } catch {
    // A concurrent write won; the next propagated change writes again.
  }
}

function classStatus(c: KubeObject, now: string): Json {
  const generation = c.metadata.generation ?? 1;
  const prev = (c.status as Json | undefined)?.conditions;
  return {
    ...((c.status as Json | undefined) ?? {}),
    conditions: withTransitionTimes(
      [condition('Accepted', true, 'Accepted', 'Handled by the local cluster gateway', generation)],
      prev,
      now,
    ),
  };
}

function listenerStatus(gw: ServedGateway, bound: BoundGateway | undefined, now: string): Json[] {
  const generation = gw.gateway.metadata.generation ?? 1;
  const previous = ((gw.gateway.status as Json | undefined)?.listeners ?? []) as Json[];
  return gw.listeners.map((l) => {
    const bindError = bound?.errors.get(l.port);
    const problem = l.unsupported ?? bindError;
    const conditions: Condition[] = [
      l.unsupported
        ? condition('Accepted', false, 'UnsupportedProtocol', l.unsupported, generation)
        : condition('Accepted', true, 'Accepted', 'No errors found', generation),
      condition('Conflicted', false, 'NoConflicts', 'No conflicts found', generation),
      problem
        ? condition('Programmed', false, bindError ? 'PortUnavailable' : 'Invalid', problem, generation)
        : condition('Programmed', true, 'Programmed', 'No errors found', generation),
      condition('ResolvedRefs', true, 'ResolvedRefs', 'No errors found', generation),
    ];
    const prev = previous.find((p) => p.name === l.name)?.conditions;
    return {
      name: l.name,
      supportedKinds: l.unsupported ? [] : [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute' }],
      attachedRoutes: l.attachedRoutes,
      conditions: withTransitionTimes(conditions, prev, now),
    };
  });
}

function gatewayStatus(gw: ServedGateway, bound: BoundGateway | undefined, now: string): Json {
  const generation = gw.gateway.metadata.generation ?? 1;
  const listeners = listenerStatus(gw, bound, now);
  const failing = gw.listeners.filter((l) => l.unsupported || bound?.errors.has(l.port)).map((l) => l.name);
  const programmed = bound !== undefined && failing.length < gw.listeners.length;
  const conditions = [
    condition('Accepted', true, 'Accepted', 'Resource accepted', generation),
    programmed
      ? condition('Programmed', true, 'Programmed', `Listening on ${bound!.address}`, generation)
      : condition(
          'Programmed',
          false,
          'Invalid',
          `no listener could be served: ${failing.join(', ')}`,
          generation,
        ),
  ];
  const prev = (gw.gateway.status as Json | undefined)?.conditions;
  const out: Json = { conditions: withTransitionTimes(conditions, prev, now), listeners };
  if (bound) out.addresses = [{ type: 'IPAddress', value: bound.address }];
  return out;
}

function routeStatus(route: KubeObject, config: GatewayApiConfig, now: string): Json {
  const key = `${route.metadata.namespace}/${route.metadata.name}`;
  const previous = ((route.status as Json | undefined)?.parents ?? []) as Json[];
  const others = previous.filter((p) => p.controllerName !== LOCAL_CONTROLLER_NAME);
  const ours = (config.routeParents.get(key) ?? []).map((p) => {
    const prev = previous.find((q) => JSON.stringify(q.parentRef) === JSON.stringify(p.parentRef));
    return { ...p, conditions: withTransitionTimes(p.conditions, prev?.conditions, now) };
  });
  return { ...((route.status as Json | undefined) ?? {}), parents: [...others, ...ours] };
}

/** Writes every status that changed; `routes` are the HTTPRoutes in the gateway's view. */
export function writeGatewayApiStatus(
  store: ObjectStore,
  config: GatewayApiConfig,
  bound: Map<string, BoundGateway>,
  routes: Iterable<KubeObject>,
  now: string,
): void {
  for (const c of config.classes)
    writeStatus(store, CLASSES, undefined, c.metadata.name, (cur) => classStatus(cur, now));
  for (const gw of config.gateways.values()) {
    const ns = gw.gateway.metadata.namespace;
    writeStatus(store, GATEWAYS, ns, gw.gateway.metadata.name, (cur) => {
      // The view may lag the store: judge the generation the view compiled, keep the stored status' times.
      const current = { ...gw, gateway: { ...gw.gateway, status: cur.status } };
      return gatewayStatus(current, bound.get(gw.key), now);
    });
  }
  for (const r of routes) {
    const key = `${r.metadata.namespace}/${r.metadata.name}`;
    const stale = (((r.status as Json | undefined)?.parents ?? []) as Json[]).some(
      (p) => p.controllerName === LOCAL_CONTROLLER_NAME,
    );
    if (!config.routeParents.has(key) && !stale) continue;
    writeStatus(store, ROUTES, r.metadata.namespace, r.metadata.name, (cur) =>
      routeStatus({ ...r, status: cur.status }, config, now),
    );
  }
}
