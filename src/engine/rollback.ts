// cutover rollback: the same switch as promote, back to the color that was live before — only if
// it still runs the release that was live then and every replica is ready.
import type { Color } from '../config/types.js';
import { GuardError } from '../errors.js';
import { isColor, otherColor } from '../routers/types.js';
import { colorStateOf, routesOf } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import {
  liveRelease,
  mustActOnRelease,
  mustBeReady,
  mustExist,
  refuse,
  type ActsOn,
  type Refusal,
} from './guards.js';
import { lockedOnState, type OperationInput } from './operation.js';
import { labelSafe } from './release-id.js';
import { switchOutcome, switchTo, type SwitchResult } from './switch.js';

export interface RollbackInput extends OperationInput {
  /**
   * The release the rollback moves away from: the live one, or — when the last switch was
   * already a rollback (a re-run) — the one that rollback moved away from. Anything else is
   * refused (exit 3). Undefined: whatever is live (no CI run id fallback: a rollback job's run
   * id is not a release).
   */
  release?: string;
}

export async function rollback(ctx: EngineContext, input: RollbackInput): Promise<SwitchResult> {
  const wanted = input.release === undefined ? undefined : labelSafe(input.release);
  return lockedOnState(ctx, { operation: 'rollback', release: wanted }, input, async (c, view) => {
    const result = await rollbackOnView(c, view, wanted);
    return { result, outcome: switchOutcome(result) };
  });
}

export function rollbackTarget(
  ctx: EngineContext,
  view: ClusterView,
): { target: Color; active: Color; previousRelease?: string; from: ActsOn } {
  const routes = routesOf(ctx, view);
  const vs = ctx.router.routeObjectName();
  if (!routes.activeColor) {
    throw new GuardError(`${vs}: no default route, so there is nothing to roll back from.`, {
      remedy: 'promote a release first',
    });
  }
  const last = ctx.router.lastSwitch(routes);
  const recorded = last.previousColor;
  if ((last.by ?? '').startsWith('rollback/')) {
    // The last switch was a rollback (this run crashed after it, or someone retries): converge
    // by verifying it. Going back to the release rolled back from is a promote, never a re-run.
    ctx.deps.log.warn(
      `the last switch was already a rollback to ${routes.activeColor}; verifying it. To return to ${recorded ?? 'the other color'}, run \`cutover promote --release ID\``,
    );
    const from = last.previousRelease;
    return {
      target: routes.activeColor,
      active: routes.activeColor,
      from: {
        release: from,
        because: `the last switch already rolled back from release ${from ?? '(unknown)'} to ${routes.activeColor}`,
      },
    };
  }
  const target =
    isColor(recorded) && recorded !== routes.activeColor ? recorded : otherColor(routes.activeColor);
  return {
    target,
    active: routes.activeColor,
    previousRelease: last.previousRelease,
    from: liveRelease(routes, colorStateOf(ctx, view, routes.activeColor)),
  };
}

function mustBeThePreviousRelease(
  ctx: EngineContext,
  release: string | undefined,
  previous: string | undefined,
  color: Color,
): Refusal | undefined {
  if (!previous || release === previous) return undefined;
  return {
    message: `Deployment ${ctx.namespace}/${ctx.source.deploymentName(color)} now runs release ${release ?? '(none)'}, not ${previous} that was live before.`,
    remedy: `test and promote ${release ?? 'it'} instead (\`cutover test\`, \`cutover promote\`), or deploy ${previous} again`,
  };
}

export async function rollbackOnView(
  ctx: EngineContext,
  view: ClusterView,
  wanted?: string,
): Promise<SwitchResult> {
  const { target, active, previousRelease, from } = rollbackTarget(ctx, view);
  // First: a stale button is refused for that reason, whatever else is wrong.
  refuse(mustActOnRelease(ctx, wanted, from, 'rollback'));
  const s = colorStateOf(ctx, view, target);
  const previousColor = target === active ? null : active;
  refuse(
    mustExist(
      ctx,
      s,
      `${target} was decommissioned; deploy the release you want again (\`cutover deploy\`), test and promote it`,
    ),
  );
  refuse(mustBeThePreviousRelease(ctx, s.release, previousRelease, target));
  refuse(mustBeReady(ctx, s));
  const out = await switchTo(ctx, 'rollback', view, target, s.release);
  return {
    operation: 'rollback',
    app: ctx.app,
    namespace: ctx.namespace,
    release: s.release ?? null,
    color: target,
    previousColor,
    timeToEffectMs: out.verification?.effectMs ?? null,
    verifiedMs: out.verification?.verifiedMs ?? null,
    ...(out.unverified ? { unverified: out.unverified } : {}),
    dryRun: ctx.dryRun,
    steps: out.steps,
    durationMs: 0,
  };
}
