// Who sends plain traffic to a set of pods — asked of every routing object in the namespace, not
// only of the ones cutover.yaml names. The live color is what the data plane says: a renamed
// route, a manifests folder with other names, or a hand-made object still serving users make a
// color live whatever cutover's own objects claim.
//
// Each router kind contributes one finder: the kinds it lists and a pure function over them:
// Istio's VirtualServices (istio/plain-traffic.ts), Gateway API HTTPRoutes
// (gateway-api/plain-traffic.ts) and Service selectors that pick one color (service/plain-traffic.ts).
import type { KubeObject } from '../kube/types.js';

/** One routing object that sends plain traffic to the pods, and how. */
export interface PlainRoute {
  kind: string;
  namespace: string;
  name: string;
  /** e.g. `route "default" → Service myapp, subset blue`. */
  via: string;
}

export interface ListedKind {
  apiVersion: string;
  kind: string;
}

/** What a finder reads: every object of its kinds in the namespace, and the Services. */
export interface NamespaceRouting {
  namespace: string;
  /** By kind; a kind the server does not know (no CRD) is an empty list. */
  objects: Map<string, KubeObject[]>;
  /**
   * Route objects of the same kinds in other namespaces, which may name this namespace's
   * Services (an HTTPRoute backendRef with `namespace:`, a VirtualService host
   * `myapp.shop.svc.cluster.local`). Only finders read them; nothing here is cutover's to write.
   */
  elsewhere?: Map<string, KubeObject[]>;
  /** Why other namespaces were not checked (RBAC allows this namespace only), in words. */
  notChecked?: string;
  services: KubeObject[];
  /**
   * Services some route object of the namespace names as a destination (any rule): users reach
   * such a ClusterIP Service through those routes, which their own finders judge.
   */
  routedServices?: Set<string>;
}

export interface PlainTrafficFinder {
  readonly kinds: ListedKind[];
  /** The objects that send requests without a tester's header or cookie to pods with `podLabels`. */
  find(routing: NamespaceRouting, podLabels: Record<string, string>): PlainRoute[];
  /** The Services of the namespace this kind's objects name as destinations, in any rule. */
  backends?(routing: NamespaceRouting): string[];
}

/**
 * Label on a Service cutover made that carries no plain traffic by itself: `testers` (the Service
 * router's preview Service) or `routes` (a Gateway API color Service, reached only through the
 * HTTPRoute, which its finder judges).
 */
export const SERVES_LABEL = 'cutover.dev/serves';

/** A non-empty selector whose every label the pod carries (Service and subset semantics). */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** The Services of the namespace whose selector picks pods with these labels. */
export function servicesSelecting(services: KubeObject[], labels: Record<string, string>): KubeObject[] {
  return services.filter((s) => selects((s.spec as { selector?: Record<string, string> })?.selector, labels));
}

/**
 * The Service a mesh host names in this namespace: `myapp`, `myapp.ns`, `myapp.ns.svc`,
 * `myapp.ns.svc.cluster.local` (any cluster domain). Undefined for another namespace or an
 * external host.
 */
export function serviceNameOfHost(host: string | undefined, namespace: string): string | undefined {
  if (!host) return undefined;
  const [name, ns, svc] = host.split('.');
  if (!ns) return name;
  if (ns !== namespace) return undefined;
  if (svc !== undefined && svc !== 'svc') return undefined;
  return name;
}

/** This namespace's objects of a kind, then those of other namespaces. */
export function everyObject(routing: NamespaceRouting, kind: string): KubeObject[] {
  return [...(routing.objects.get(kind) ?? []), ...(routing.elsewhere?.get(kind) ?? [])];
}

/**
 * The Service of `namespace` that a mesh host names, as a client in `from` resolves it: a short
 * name is relative to `from`, a qualified one names its namespace.
 */
export function serviceOfHostFrom(
  host: string | undefined,
  from: string,
  namespace: string,
): string | undefined {
  if (!host) return undefined;
  if (!host.includes('.')) return from === namespace ? host : undefined;
  return serviceNameOfHost(host, namespace);
}
