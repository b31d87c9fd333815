// The objects the gateway routes by, as the proxy currently sees them (after the propagation
// delay). Keys are `namespace/name`. `gateways` are Istio's; `k8sgateways` the Gateway API's.
import type { KubeObject } from '../store/types.js';

export const VIEW_KINDS = [
  'gateways',
  'virtualservices',
  'destinationrules',
  'services',
  'endpoints',
  'pods',
  'gatewayclasses',
  'k8sgateways',
  'httproutes',
] as const;
export type ViewKind = (typeof VIEW_KINDS)[number];

export type ConfigView = Record<ViewKind, Map<string, KubeObject>>;

export function emptyView(): ConfigView {
  return {
    gateways: new Map(),
    virtualservices: new Map(),
    destinationrules: new Map(),
    services: new Map(),
    endpoints: new Map(),
    pods: new Map(),
    gatewayclasses: new Map(),
    k8sgateways: new Map(),
    httproutes: new Map(),
  };
}

export function objectKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Istio orders configs by creationTimestamp, then name, then namespace (configCompareByCreationTime). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name;
  const nb = b.metadata.name;
  if (na !== nb) return na < nb ? -1 : 1;
  const sa = a.metadata.namespace ?? '';
  const sb = b.metadata.namespace ?? '';
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function specOf(o: KubeObject): Record<string, unknown> {
  const spec = o.spec;
  return spec !== null && typeof spec === 'object' && !Array.isArray(spec)
    ? (spec as Record<string, unknown>)
    : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

export function asStringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const r = asRecord(v);
  if (r) for (const [k, val] of Object.entries(r)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Istio exportTo as seen from the ingress gateway's namespace. */
export function visibleFrom(o: KubeObject, proxyNamespace: string): boolean {
  const exportTo = specOf(o).exportTo;
  if (!Array.isArray(exportTo) || exportTo.length === 0) return true;
  const ns = o.metadata.namespace ?? '';
  return exportTo.some((e) => e === '*' || e === proxyNamespace || (e === '.' && ns === proxyNamespace));
}
