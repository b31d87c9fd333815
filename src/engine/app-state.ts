// Reading the app's state from the cluster and deriving facts from it. The derivations are pure
// so that plans and guards can be tested on objects alone.
import type { Color } from '../config/types.js';
import type { KubeObject } from '../kube/types.js';
import { ANNOTATIONS, LABELS } from '../manifests/types.js';
import { COLORS, type LiveRoutes } from '../routers/types.js';
import { ClusterView } from './cluster-view.js';
import { addOwnBackends, readNamespaceRouting, warnNotChecked } from './live-color-guard.js';
import type { EngineContext } from './context.js';

export const APPS_V1 = 'apps/v1';

export interface TestVerdict {
  release: string;
  result: 'passed' | 'failed';
  at: string;
  checks?: Array<{ name: string; ok: boolean; detail?: string }>;
}

export interface ColorState {
  color: Color;
  deployment?: KubeObject;
  release?: string;
  image?: string;
  replicas: number;
  ready: number;
  available: number;
  updated: number;
  /** Every replica of the current spec is ready and available, and no old pod is left. */
  allReady: boolean;
  verdict?: TestVerdict;
}

/**
 * Reads cutover's objects of the app; with `routing`, also every routing object of the namespace
 * (for the live-color guard of the operations that write a color's workload).
 */
export async function readAppState(
  ctx: EngineContext,
  options: { routing?: boolean } = {},
): Promise<ClusterView> {
  const view = new ClusterView();
  const deployments = COLORS.map((c) => ({ kind: 'Deployment', name: ctx.source.deploymentName(c) }));
  const routing = options.routing ? readNamespaceRouting(ctx) : undefined;
  const [routes, ...deps] = await Promise.all([
    ctx.router.read(ctx.kube),
    ...deployments.map((d) =>
      ctx.kube.getOptional({ apiVersion: APPS_V1, kind: d.kind, name: d.name, namespace: ctx.namespace }),
    ),
  ]);
  for (const obj of routes.objects ?? []) view.set(obj);
  deployments.forEach((d, i) => view.put(d.kind, d.name, deps[i]));
  view.routing = await routing;
  if (view.routing) addOwnBackends(ctx, view.routing, routes.objects ?? []);
  warnNotChecked(ctx, view.routing);
  return view;
}

export function routesOf(ctx: EngineContext, view: ClusterView): LiveRoutes {
  return ctx.router.fromObjects((kind, name) => view.get(kind, name));
}

export function deploymentOf(ctx: EngineContext, view: ClusterView, color: Color): KubeObject | undefined {
  return view.get('Deployment', ctx.source.deploymentName(color));
}

export function parseVerdict(dep: KubeObject | undefined): TestVerdict | undefined {
  const raw = dep?.metadata.annotations?.[ANNOTATIONS.tested];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as TestVerdict;
  } catch {
    // A hand-edited annotation that is not JSON counts as "not tested", which is the safe side.
    return undefined;
  }
}

export function colorState(color: Color, dep: KubeObject | undefined): ColorState {
  const spec = (dep?.spec ?? {}) as { replicas?: number };
  const st = (dep?.status ?? {}) as Record<string, number | undefined>;
  const replicas = spec.replicas ?? 1;
  const ready = st.readyReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  const updated = st.updatedReplicas ?? 0;
  const observed = (st.observedGeneration ?? 0) >= (dep?.metadata.generation ?? 0);
  const allReady =
    Boolean(dep) &&
    observed &&
    updated >= replicas &&
    ready >= replicas &&
    available >= replicas &&
    (st.replicas ?? 0) <= replicas;
  return {
    color,
    deployment: dep,
    release: dep?.metadata.labels?.[LABELS.release],
    image: dep?.metadata.annotations?.[ANNOTATIONS.image],
    replicas,
    ready,
    available,
    updated,
    allReady,
    verdict: parseVerdict(dep),
  };
}

export function colorStateOf(ctx: EngineContext, view: ClusterView, color: Color): ColorState {
  return colorState(color, deploymentOf(ctx, view, color));
}

export function describeObject(ctx: EngineContext, kind: string, name: string): string {
  return `${kind} ${ctx.namespace}/${name}`;
}
