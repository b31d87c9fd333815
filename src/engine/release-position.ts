// Where a release id already stands in the cluster, so that a retried `deploy` or `release`
// converges instead of starting over. A release id names one release: a CI retry (after a job
// timeout, a SIGKILL, a lost response, or after success) runs the same id again and must end
// where the first run would have, never by deploying that release a second time into the other
// color — that color holds the rollback target.
import type { Color } from '../config/types.js';
import { COLORS, isColor } from '../routers/types.js';
import { colorStateOf, routesOf, type ColorState } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import type { Refusal } from './guards.js';

/** The release a rollback would return to now: the previous color and what it runs. */
export interface RollbackTarget {
  color: Color;
  /** What the previous color runs now (undefined: unlabelled or gone). */
  release?: string;
  /** True while that color still runs the release that was live before the last switch. */
  intact: boolean;
}

export type ReleasePosition =
  /** The release serves plain traffic: nothing to deploy, only verify. */
  | { kind: 'live'; color: Color; state: ColorState }
  /** The release is on the idle color with a passed verdict: `release` resumes at promote. */
  | { kind: 'tested'; color: Color; state: ColorState }
  /** Not in the cluster yet, or not finished there: deploy (converges on what is in place). */
  | { kind: 'deploy' };

export function rollbackTargetOf(ctx: EngineContext, view: ClusterView): RollbackTarget | undefined {
  const routes = routesOf(ctx, view);
  if (!routes.activeColor) return undefined;
  const last = ctx.router.lastSwitch(routes);
  const recorded = last.previousColor;
  if (!isColor(recorded) || recorded === routes.activeColor) return undefined;
  const previousRelease = last.previousRelease;
  const s = colorStateOf(ctx, view, recorded);
  if (!s.deployment) return undefined;
  return {
    color: recorded,
    release: s.release,
    intact: previousRelease === undefined || s.release === previousRelease,
  };
}

/** The image a color runs (cutover's annotation, else the first container). */
function imageOfState(s: ColorState): string | undefined {
  if (s.image) return s.image;
  const spec = s.deployment?.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } };
  return spec?.template?.spec?.containers?.[0]?.image;
}

/**
 * Where `release` stands. `image` (when the command names one) must be the image the release
 * runs: a release id that is live with another image is refused by mustKeepReleaseImage.
 */
export function releasePosition(
  ctx: EngineContext,
  view: ClusterView,
  release: string,
  image: string | undefined,
): ReleasePosition {
  const routes = routesOf(ctx, view);
  const states = COLORS.map((c) => colorStateOf(ctx, view, c));
  const live = states.find((s) => s.color === routes.activeColor && s.release === release);
  if (live) return { kind: 'live', color: live.color, state: live };
  const idle = states.find((s) => s.color !== routes.activeColor && s.release === release);
  const sameImage = !image || !idle || imageOfState(idle) === image;
  const v = idle?.verdict;
  if (idle && sameImage && routes.testColor === idle.color && v?.release === release && v.result === 'passed')
    return { kind: 'tested', color: idle.color, state: idle };
  return { kind: 'deploy' };
}

/** A live release id with another image: deploying it again would replace the rollback target. */
export function mustKeepReleaseImage(
  ctx: EngineContext,
  position: ReleasePosition,
  release: string,
  image: string | undefined,
): Refusal | undefined {
  if (position.kind !== 'live' || !image) return undefined;
  const running = imageOfState(position.state);
  if (!running || running === image) return undefined;
  return {
    message: `Deployment ${ctx.namespace}/${ctx.source.deploymentName(position.color)} serves release ${release} with image ${running}, not ${image}: one release id names one image.`,
    remedy: `give the new image a new release id (--release ID), or re-run with --image ${running}`,
  };
}

/** The asked color of a live release must be the live color (the other one holds the way back). */
export function mustNotRedeployLiveElsewhere(
  ctx: EngineContext,
  position: ReleasePosition,
  release: string,
  asked: Color | undefined,
): Refusal | undefined {
  if (position.kind !== 'live' || !asked || asked === position.color) return undefined;
  return {
    message: `release ${release} is already live on ${position.color}; deploying it to ${asked} would replace the release a rollback returns to.`,
    remedy: `re-run without --color (or with --color ${position.color}) to verify it, or deploy a new release id to ${asked}`,
  };
}

/** What a deploy of a new release into `color` costs: the release that stops being the way back. */
export function replacedRollbackTarget(
  ctx: EngineContext,
  view: ClusterView,
  color: Color,
  release: string,
): { release: string; color: Color } | undefined {
  const target = rollbackTargetOf(ctx, view);
  if (!target || target.color !== color || !target.intact || !target.release) return undefined;
  if (target.release === release) return undefined;
  return { release: target.release, color };
}
