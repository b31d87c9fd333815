// Which HTTPRoutes attach to which listener of which Gateway, and the conditions a controller
// reports for that: per route parent `Accepted` (Accepted, NoMatchingParent, NotAllowedByListeners,
// NoMatchingListenerHostname, UnsupportedValue) and `ResolvedRefs` (ResolvedRefs, InvalidKind,
// RefNotPermitted, BackendNotFound), each with the observedGeneration it judged.
import type { KubeObject } from '../../store/types.js';
import { asArray, asRecord, byCreation, specOf } from '../config-view.js';
import { condition, type Condition } from './conditions.js';
import { intersectHostnames } from './hostnames.js';
import { compileHttpMatch } from './route-match.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

export interface ListenerSpec {
  name: string;
  port: number;
  protocol: string;
  hostname?: string;
  from: string;
  kinds: string[];
}

export interface Attachment {
  route: KubeObject;
  /** Hostnames the route serves on this listener (`*` = any). */
  hostnames: string[];
}

export interface ParentStatus {
  parentRef: Record<string, unknown>;
  controllerName: string;
  conditions: Condition[];
}

export interface AttachResult {
  /** `gatewayKey/listenerName` → attached routes. */
  attachments: Map<string, Attachment[]>;
  /** `namespace/name` of a route → the parent entries this controller owns. */
  routeParents: Map<string, ParentStatus[]>;
}

export function listenersOf(gw: KubeObject): ListenerSpec[] {
  return asArray(specOf(gw).listeners).flatMap((raw) => {
    const l = asRecord(raw);
    if (!l || typeof l.name !== 'string' || typeof l.port !== 'number') return [];
    const allowed = asRecord(l.allowedRoutes);
    const from = asRecord(allowed?.namespaces)?.from;
    const kinds = asArray(allowed?.kinds)
      .map((k) => asRecord(k)?.kind)
      .filter((k): k is string => typeof k === 'string');
    return [
      {
        name: l.name,
        port: l.port,
        protocol: typeof l.protocol === 'string' ? l.protocol : 'HTTP',
        hostname: typeof l.hostname === 'string' ? l.hostname : undefined,
        from: typeof from === 'string' ? from : 'Same',
        kinds,
      },
    ];
  });
}

function routeHostnames(route: KubeObject): string[] {
  return asArray(specOf(route).hostnames).filter((h): h is string => typeof h === 'string');
}

/** The first backendRef problem of a route as [reason, message], or undefined when all resolve. */
export function backendProblem(
  route: KubeObject,
  services: Map<string, KubeObject>,
): [string, string] | undefined {
  const ns = route.metadata.namespace ?? '';
  const problems: Array<[string, string]> = [];
  asArray(specOf(route).rules).forEach((rule, i) =>
    asArray(asRecord(rule)?.backendRefs).forEach((raw, j) => {
      const ref = asRecord(raw) ?? {};
      const where = `spec.rules[${i}].backendRefs[${j}]`;
      const group = typeof ref.group === 'string' ? ref.group : '';
      const kind = typeof ref.kind === 'string' ? ref.kind : 'Service';
      const name = String(ref.name ?? '');
      const refNs = typeof ref.namespace === 'string' ? ref.namespace : ns;
      if (group !== '' || kind !== 'Service')
        problems.push([
          'InvalidKind',
          `${where}: unsupported backend kind ${group ? `${group}/` : ''}${kind}`,
        ]);
      else if (refNs !== ns)
        problems.push([
          'RefNotPermitted',
          `${where}: backendRef to Service ${refNs}/${name} is not permitted by any ReferenceGrant`,
        ]);
      else {
        const svc = services.get(`${refNs}/${name}`);
        const ports = asArray(svc ? specOf(svc).ports : undefined).map((p) => asRecord(p)?.port);
        if (!svc) problems.push(['BackendNotFound', `${where}: Service ${refNs}/${name} not found`]);
        else if (!ports.includes(ref.port))
          problems.push([
            'BackendNotFound',
            `${where}: Service ${refNs}/${name} has no port ${String(ref.port)}`,
          ]);
      }
    }),
  );
  if (problems.length === 0) return undefined;
  return [problems[0]![0], problems.map((p) => p[1]).join('; ')];
}

/** The message of the first RegularExpression that RE2 cannot compile, or undefined. */
function unsupportedValue(route: KubeObject): string | undefined {
  for (const [i, rule] of asArray(specOf(route).rules).entries()) {
    for (const [j, m] of asArray(asRecord(rule)?.matches).entries()) {
      try {
        compileHttpMatch(m);
      } catch (err) {
        return `spec.rules[${i}].matches[${j}]: invalid RegularExpression: ${(err as Error).message}`;
      }
    }
  }
  return undefined;
}

interface Parent {
  ref: Record<string, unknown>;
  gateway?: KubeObject;
  gatewayKey: string;
}

function parentsOf(route: KubeObject, gateways: Map<string, KubeObject>): Parent[] {
  const ns = route.metadata.namespace ?? '';
  return asArray(specOf(route).parentRefs).flatMap((raw) => {
    const r = asRecord(raw);
    if (!r || typeof r.name !== 'string') return [];
    const group = typeof r.group === 'string' ? r.group : GATEWAY_API_GROUP;
    const kind = typeof r.kind === 'string' ? r.kind : 'Gateway';
    if (group !== GATEWAY_API_GROUP || kind !== 'Gateway') return [];
    const gatewayKey = `${typeof r.namespace === 'string' ? r.namespace : ns}/${r.name}`;
    return [{ ref: r, gateway: gateways.get(gatewayKey), gatewayKey }];
  });
}

function namespaceAllowed(l: ListenerSpec, gw: KubeObject, route: KubeObject): boolean {
  if (l.kinds.length > 0 && !l.kinds.includes('HTTPRoute')) return false;
  if (l.from === 'All') return true;
  if (l.from === 'Same') return gw.metadata.namespace === route.metadata.namespace;
  return false; // Selector: namespace labels are not part of the gateway's view (see docs/gateway.md).
}

/** Attaches every route to the listeners of the served Gateways it names. */
export function attachRoutes(
  routes: Iterable<KubeObject>,
  served: Map<string, KubeObject>,
  services: Map<string, KubeObject>,
  controllerName: string,
): AttachResult {
  const attachments = new Map<string, Attachment[]>();
  const routeParents = new Map<string, ParentStatus[]>();
  for (const route of [...routes].sort(byCreation)) {
    const generation = route.metadata.generation ?? 1;
    const badValue = unsupportedValue(route);
    const refs = backendProblem(route, services);
    const resolved = refs
      ? condition('ResolvedRefs', false, refs[0], refs[1], generation)
      : condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', generation);
    const parents: ParentStatus[] = [];
    for (const parent of parentsOf(route, served)) {
      const accepted = badValue
        ? condition('Accepted', false, 'UnsupportedValue', badValue, generation)
        : attachToParent(route, parent, attachments, generation);
      if (!accepted) continue;
      parents.push({
        parentRef: parentRefStatus(parent.ref),
        controllerName,
        conditions: [accepted, resolved],
      });
    }
    if (parents.length) routeParents.set(`${route.metadata.namespace}/${route.metadata.name}`, parents);
  }
  return { attachments, routeParents };
}

/** The Accepted condition for one parent, recording attachments; undefined when the Gateway is not ours. */
function attachToParent(
  route: KubeObject,
  parent: Parent,
  attachments: Map<string, Attachment[]>,
  generation: number,
): Condition | undefined {
  const gw = parent.gateway;
  if (!gw) return undefined;
  const listeners = listenersOf(gw).filter(
    (l) =>
      (typeof parent.ref.sectionName !== 'string' || parent.ref.sectionName === l.name) &&
      (typeof parent.ref.port !== 'number' || parent.ref.port === l.port),
  );
  if (listeners.length === 0)
    return condition(
      'Accepted',
      false,
      'NoMatchingParent',
      `no listener of Gateway ${parent.gatewayKey} matches the parentRef`,
      generation,
    );
  const allowed = listeners.filter(
    (l) => namespaceAllowed(l, gw, route) && (l.protocol === 'HTTP' || l.protocol === 'HTTPS'),
  );
  if (allowed.length === 0)
    return condition(
      'Accepted',
      false,
      'NotAllowedByListeners',
      `no listener of Gateway ${parent.gatewayKey} allows HTTPRoutes from namespace ${route.metadata.namespace}`,
      generation,
    );
  let attached = 0;
  for (const l of allowed) {
    const hostnames = intersectHostnames(l.hostname, routeHostnames(route));
    if (hostnames.length === 0) continue;
    attached++;
    const key = `${parent.gatewayKey}/${l.name}`;
    attachments.set(key, [...(attachments.get(key) ?? []), { route, hostnames }]);
  }
  if (attached === 0)
    return condition(
      'Accepted',
      false,
      'NoMatchingListenerHostname',
      `no hostname of the route intersects a listener of Gateway ${parent.gatewayKey}`,
      generation,
    );
  return condition('Accepted', true, 'Accepted', 'Route was valid', generation);
}

function parentRefStatus(ref: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    group: typeof ref.group === 'string' ? ref.group : GATEWAY_API_GROUP,
    kind: typeof ref.kind === 'string' ? ref.kind : 'Gateway',
    name: ref.name,
  };
  for (const k of ['namespace', 'sectionName', 'port']) if (ref[k] !== undefined) out[k] = ref[k];
  return out;
}

/** Gateways whose class this controller owns (spec.controllerName of the GatewayClass). */
export function servedGateways(
  classes: Map<string, KubeObject>,
  gateways: Map<string, KubeObject>,
  controllerName: string,
): Map<string, KubeObject> {
  const ours = new Set(
    [...classes.values()]
      .filter((c) => specOf(c).controllerName === controllerName)
      .map((c) => c.metadata.name),
  );
  const out = new Map<string, KubeObject>();
  for (const [key, gw] of gateways) {
    if (gw.metadata.deletionTimestamp) continue;
    if (ours.has(String(specOf(gw).gatewayClassName))) out.set(key, gw);
  }
  return out;
}
