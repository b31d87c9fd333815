// cutover promote: every plain request goes to the color under test, if — and only if — it runs
// the release named (or the deployed one), that release passed its tests, and every replica is
// ready. Re-running after a crash converges: an already-switched route is only verified again.
import type { Color } from '../config/types.js';
import { GuardError } from '../errors.js';
import { COLORS, otherColor } from '../routers/types.js';
import { colorStateOf, routesOf } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { mustBeReady, mustBeTested, mustExist, mustRunRelease, refuse } from './guards.js';
import { lockedOnState, type OperationInput } from './operation.js';
import { requestedRelease } from './release-id.js';
import { switchOutcome, switchTo, type SwitchResult } from './switch.js';
import { watchAfterSwitch } from './analysis-watch.js';
import { rollbackOnView } from './rollback.js';

// Their home is switch.ts (rollback needs them without loading promote's analysis).
export { switchOutcome, type SwitchResult } from './switch.js';

export interface PromoteInput extends OperationInput {
  release?: string;
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
  return lockedOnState(ctx, { operation: 'promote', release: wanted }, input, async (c, view) => {
    const result = await promoteOnView(c, view, wanted);
    return { result, outcome: switchOutcome(result) };
  });
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
    ...(out.unverified ? { unverified: out.unverified } : {}),
    dryRun: ctx.dryRun,
    steps: out.steps,
    analysis,
    durationMs: 0,
  };
}
