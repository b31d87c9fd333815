// cutover status and cutover history: what the cluster says, read-only, no lock taken.
import type { Color } from '../config/types.js';
import { lockStatus } from '../lock/status.js';
import type { LockStatus } from '../lock/types.js';
import { COLORS } from '../routers/types.js';
import { readMark, type AnalysisMark } from './analysis-watch.js';
import { notReadyReasons, type PodReason } from './pod-reasons.js';
import { colorStateOf, readAppState, routesOf, type TestVerdict } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { readHistory, type HistoryEntry } from './history.js';
import { addOwnBackends, readNamespaceRouting } from './live-color-guard.js';
import { strayRoutes, type StrayRoute } from './stray-routes.js';

export interface ColorStatus {
  deployment: string | null;
  release: string | null;
  image: string | null;
  replicas: number;
  ready: number;
  available: number;
  allReady: boolean;
  live: boolean;
  underTest: boolean;
  hasSubset: boolean;
  /**
   * With no workload but routing kept for the color (hasSubset): what decommission still removes,
   * in the router's words (`remove subset blue`, `delete color Service myapp-blue`).
   */
  leftover: string | null;
  tested: TestVerdict | null;
  /** The post-promotion analysis of this color's release: running, or its verdict. */
  analysis: AnalysisMark | null;
  /** When not all ready: each pod's reason, in the kubelet's words. */
  notReady: PodReason[];
}

export interface StatusResult {
  app: string;
  namespace: string;
  activeColor: Color | null;
  testColor: Color | null;
  /** Release of the live color. */
  release: string | null;
  previousColor: Color | null;
  switchedAt: string | null;
  /** The last switch plus the drain window: from then on the idle color may be decommissioned. */
  drainEndsAt: string | null;
  colors: Record<Color, ColorStatus>;
  routes: Array<{ name: string | null; color: string | null; match: boolean }>;
  /**
   * Routing objects besides the one cutover.yaml names: cutover's own for the app that still
   * serve users (orphaned) or that `cutover migrate` retired, each with its fix.
   */
  strayRoutes: StrayRoute[];
  /** Why the namespace's routing objects were not checked (e.g. Forbidden); null when they were. */
  strayRoutesUnchecked: string | null;
  lock: LockStatus;
  history: HistoryEntry[];
}

export function describeStatus(
  ctx: EngineContext,
  view: ClusterView,
): Omit<StatusResult, 'lock' | 'history'> {
  const routes = routesOf(ctx, view);
  const last = ctx.router.lastSwitch(routes);
  const colors = Object.fromEntries(
    COLORS.map((c) => {
      const s = colorStateOf(ctx, view, c);
      const hasSubset = !routes.subsetsImplicit && routes.subsets.includes(c);
      const status: ColorStatus = {
        deployment: s.deployment?.metadata.name ?? null,
        release: s.release ?? null,
        image: s.image ?? null,
        replicas: s.deployment ? s.replicas : 0,
        ready: s.ready,
        available: s.available,
        allReady: s.allReady,
        live: routes.activeColor === c,
        underTest: routes.testColor === c,
        hasSubset,
        leftover: hasSubset && !s.deployment ? (ctx.router.stepNames.removeColor(c) ?? null) : null,
        tested: s.verdict ?? null,
        analysis: readMark(s.deployment) ?? null,
        notReady: [],
      };
      return [c, status];
    }),
  ) as Record<Color, ColorStatus>;
  return {
    app: ctx.app,
    namespace: ctx.namespace,
    activeColor: routes.activeColor ?? null,
    testColor: routes.testColor ?? null,
    release: routes.activeColor ? colors[routes.activeColor].release : null,
    previousColor: last.previousColor ?? null,
    switchedAt: last.at ?? null,
    drainEndsAt: drainEnd(last.at, ctx.config.drainSeconds),
    colors,
    routes: ctx.router.routeSummary(routes),
    strayRoutes: strayRoutes(ctx, view),
    strayRoutesUnchecked: null,
  };
}

function drainEnd(switchedAt: string | undefined, drainSeconds: number): string | null {
  const at = switchedAt ? Date.parse(switchedAt) : NaN;
  return Number.isFinite(at) ? new Date(at + drainSeconds * 1000).toISOString() : null;
}

export async function status(ctx: EngineContext, historyEntries = 5): Promise<StatusResult> {
  // The namespace's routing objects (one list per kind), concurrent with the rest; status is
  // read-only, so a list it may not make is said, not fatal.
  const [view, routing, lock, history] = await Promise.all([
    readAppState(ctx),
    readNamespaceRouting(ctx, { otherNamespaces: false }).catch((err: unknown) => err as Error),
    lockStatus(ctx.kube, ctx.namespace, ctx.app, { clock: ctx.deps.clock }),
    readHistory(ctx),
  ]);
  if (!(routing instanceof Error)) {
    view.routing = routing;
    addOwnBackends(ctx, routing, routesOf(ctx, view).objects ?? []);
  }
  const described = describeStatus(ctx, view);
  if (routing instanceof Error)
    described.strayRoutesUnchecked = `the namespace's routing objects could not be listed: ${routing.message}`;
  // Why a color is not ready: read only then (one list of its pods).
  await Promise.all(
    COLORS.map(async (c) => {
      const dep = colorStateOf(ctx, view, c).deployment;
      if (dep && !described.colors[c].allReady)
        described.colors[c].notReady = await notReadyReasons(ctx.kube, dep);
    }),
  );
  return { ...described, lock, history: history.slice(0, historyEntries) };
}

export interface HistoryResult {
  app: string;
  namespace: string;
  entries: HistoryEntry[];
}

export async function history(ctx: EngineContext): Promise<HistoryResult> {
  return { app: ctx.app, namespace: ctx.namespace, entries: await readHistory(ctx) };
}
