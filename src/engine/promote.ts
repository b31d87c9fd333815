// cutover promote: every plain request goes to the color under test, if — and only if — it runs
// the release named (or the deployed one), that release passed its tests, and every replica is
// ready. Re-running after a crash converges: an already-switched route is only verified again.
import type { Color } from '../config/types.js';
import { GuardError } from '../errors.js';
import { COLORS, otherColor } from '../routers/types.js';
import { colorStateOf, readAppState, routesOf } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { mustBeReady, mustBeTested, mustExist, mustRunRelease, refuse } from './guards.js';
import { guardsFirst } from './preflight.js';
import { locked, type OperationInput } from './operation.js';
import { requestedRelease } from './release-id.js';
import type { StepRecord } from './steps.js';
import { switchTo } from './switch.js';
import { watchAfterSwitch, type AnalysisSummary } from './analysis-watch.js';
import { rollbackOnView } from './rollback.js';

export interface PromoteInput extends OperationInput {
  release?: string;
}

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
  /** The post-promotion analysis, when one ran and passed. */
  analysis?: AnalysisSummary;
  durationMs: number;
}

/**
 * The color promote moves traffic to. A named release picks the color that runs it — the live
 * one when it already does, so a re-run after a crash only verifies. Without a name, the color
 * under test; never "the other color" by default, so a second `cutover promote` cannot flip
 * traffic back to the old release.
 */
export function promoteTarget(ctx: EngineContext, view: ClusterView, wanted: string | undefined): Color {
  const routes = routesOf(ctx, view);
  const vs = ctx.router.routeObjectName();
  if (wanted) {
    const running = COLORS.filter((c) => colorStateOf(ctx, view, c).release === wanted);
    const target = running.find((c) => c === routes.activeColor) ?? running[0];
    if (target) return target;
    const deployed = routes.testColor ?? otherColor(routes.activeColor ?? 'green');
    return deployed; // the release guard then names what runs there instead
  }
  if (routes.testColor) return routes.testColor;
  throw new GuardError(
    `${vs}: no color is under test${routes.activeColor ? ` (${routes.activeColor} is live)` : ''}.`,
    {
      remedy: routes.activeColor
        ? 'name the release to promote (--release ID), or deploy and test a new one first'
        : 'run `cutover deploy` and `cutover test` first',
    },
  );
}

export async function promote(ctx: EngineContext, input: PromoteInput): Promise<SwitchResult> {
  const wanted = requestedRelease(input.release, ctx.deps.env);
  await guardsFirst(ctx, async (dry) => promoteOnView(dry, await readAppState(dry), wanted));
  return locked(ctx, { operation: 'promote', release: wanted }, input, async () => {
    const result = await promoteOnView(ctx, await readAppState(ctx), wanted);
    return { result, outcome: switchOutcome(result) };
  });
}

/** What the history records of a switch (promote or rollback). */
export function switchOutcome(result: SwitchResult) {
  return {
    color: result.color,
    from: result.previousColor ?? undefined,
    release: result.release ?? undefined,
  };
}

export async function promoteOnView(
  ctx: EngineContext,
  view: ClusterView,
  wanted: string | undefined,
): Promise<SwitchResult> {
  const routes = routesOf(ctx, view);
  const target = promoteTarget(ctx, view, wanted);
  const s = colorStateOf(ctx, view, target);
  refuse(mustExist(ctx, s, 'run `cutover deploy` first'));
  refuse(mustRunRelease(ctx, s, wanted));
  refuse(mustBeTested(ctx, s));
  refuse(mustBeReady(ctx, s));
  const previous = routes.activeColor && routes.activeColor !== target ? routes.activeColor : null;
  const out = await switchTo(ctx, 'promote', view, target, s.release);
  const analysis = await watchAfterSwitch(ctx, view, target, s.release ?? '', (v) => rollbackOnView(ctx, v));
  return {
    operation: 'promote',
    app: ctx.app,
    namespace: ctx.namespace,
    release: s.release ?? null,
    color: target,
    previousColor: previous,
    timeToEffectMs: out.verification?.effectMs ?? null,
    verifiedMs: out.verification?.verifiedMs ?? null,
    dryRun: ctx.dryRun,
    steps: out.steps,
    analysis,
    durationMs: 0,
  };
}
