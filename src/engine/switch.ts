// The traffic switch promote and rollback share: make sure the target's subset exists (and, if
// it had to be added, that testers reach it: proof the gateway knows it), then move every plain
// request in ONE conditional write of the routes, then probe plain requests until N in
// a row come from the target.
import type { Color } from '../config/types.js';
import { routesOf } from './app-state.js';
import { ciRunId } from './release-id.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { verifiedText, verifyThroughPlane, type ProbeResult } from './gateway-probe.js';
import { routerStep, runSteps, type Step, type StepRecord } from './steps.js';
import type { AnalysisSummary } from './analysis-watch.js';

/** Plain answers in a row from the new color before a switch counts as verified. */
export const VERIFY_STREAK = 5;

export interface SwitchResult {
  operation: 'promote' | 'rollback';
  app: string;
  namespace: string;
  release: string | null;
  color: Color;
  previousColor: Color | null;
  /** From the write of the route until plain requests began to come from the new color. */
  timeToEffectMs: number | null;
  /** Until the streak of answers from the new color was complete. */
  verifiedMs: number | null;
  dryRun: boolean;
  steps: StepRecord[];
  /** Set when no URL reaches the data plane: the switch was written, not verified through it. */
  unverified?: string;
  /** The post-promotion analysis, when one ran and passed. */
  analysis?: AnalysisSummary;
  durationMs: number;
}

/** What the history records of a switch (promote or rollback). */
export function switchOutcome(result: SwitchResult) {
  return {
    color: result.color,
    from: result.previousColor ?? undefined,
    release: result.release ?? undefined,
  };
}

export interface SwitchOutcome {
  steps: StepRecord[];
  /** Absent when nothing was probed (see `unverified`). */
  verification?: ProbeResult;
  /** Why the data plane was not verified (no URL reaches it), said plainly. */
  unverified?: string;
}

export function switchSteps(
  ctx: EngineContext,
  view: ClusterView,
  target: Color,
  release: string | undefined,
  by: string | undefined,
  onVerified: (r: ProbeResult) => void,
): Step[] {
  const { router } = ctx;
  const initial = routesOf(ctx, view);
  const subsetIsNew = !initial.subsets.includes(target);
  const keep =
    initial.activeColor && initial.activeColor !== target ? [initial.activeColor, target] : [target];
  const steps: Step[] = [
    ...routerStep(router.stepNames.ensureColor(target), (v) => router.planEnsure(routesOf(ctx, v), keep)),
  ];
  if (subsetIsNew) {
    // A subset the gateway may not know yet: prove it through the test route before anyone relies on it.
    steps.push({
      name: `send testers to ${target}`,
      plan: (v) => router.planTestTraffic(routesOf(ctx, v), target, release),
      routes: true,
      describe: `probe as a tester until ${target} answers`,
      run: async () => {
        const r = await probe(ctx, target, release, true, 3);
        return verifiedText(r, `testers reach ${target}`);
      },
    });
  }
  steps.push({
    name: `switch all traffic to ${target}`,
    plan: (v) =>
      router.planAllTraffic(routesOf(ctx, v), target, {
        release,
        by,
        at: new Date(ctx.deps.clock()).toISOString(),
      }),
    routes: true,
    describe: `probe plain requests until ${VERIFY_STREAK} in a row come from ${target}`,
    run: async () => {
      const r = await probe(ctx, target, release, false, VERIFY_STREAK);
      onVerified(r);
      if (r.unverified || r.serving) return verifiedText(r, `plain traffic reaches ${target}`);
      return `plain traffic reaches ${target}: in effect after ${r.effectMs} ms, verified after ${r.verifiedMs} ms (${r.requests} probes)`;
    },
  });
  return steps;
}

/** Probes (as a tester or not) until `consecutive` answers in a row come from `color`. */
export async function probe(
  ctx: EngineContext,
  color: Color,
  release: string | undefined,
  tester: boolean,
  consecutive: number,
): Promise<ProbeResult> {
  return verifyThroughPlane(ctx, {
    color,
    release,
    consecutive,
    tester,
    timeoutMs: ctx.config.verifyTimeoutSeconds * 1000,
    what: `${tester ? 'testers' : 'plain traffic'} reaching ${color}`,
  });
}

export async function switchTo(
  ctx: EngineContext,
  operation: string,
  view: ClusterView,
  target: Color,
  release: string | undefined,
): Promise<SwitchOutcome> {
  let verification: ProbeResult | undefined;
  let unverified: string | undefined;
  const by = `${operation}/${ciRunId(ctx.deps.env) ?? ''}`;
  const steps = await runSteps(
    ctx,
    operation,
    switchSteps(ctx, view, target, release, by, (r) => {
      if (r.unverified) unverified = r.unverified;
      else verification = r;
    }),
    view,
  );
  return { steps, verification, ...(unverified ? { unverified } : {}) };
}
