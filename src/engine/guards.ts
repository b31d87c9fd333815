// Preflight guards. Each returns the reason it refuses (undefined = fine); the first reason wins
// and becomes a GuardError (exit 3) naming the object and the remedy. Pure: they read a view.
import type { Color } from '../config/types.js';
import { GuardError } from '../errors.js';
import { otherColor, type LiveRoutes } from '../routers/types.js';
import type { ColorState } from './app-state.js';
import type { EngineContext } from './context.js';

export interface Refusal {
  message: string;
  remedy: string;
  /** The objects the refusal is about (`Kind ns/name`), when other findings may name them too. */
  objects?: string[];
}

export function refuse(refusal: Refusal | undefined): void {
  if (refusal) throw new GuardError(refusal.message, { remedy: refusal.remedy });
}

function deploymentRef(ctx: EngineContext, color: Color): string {
  return `Deployment ${ctx.namespace}/${ctx.source.deploymentName(color)}`;
}

function vsRef(ctx: EngineContext): string {
  return ctx.router.routeObjectName();
}

export function mustExist(ctx: EngineContext, s: ColorState, remedy: string): Refusal | undefined {
  if (s.deployment) return undefined;
  return { message: `${deploymentRef(ctx, s.color)} does not exist: nothing runs on ${s.color}.`, remedy };
}

export function mustBeReady(ctx: EngineContext, s: ColorState): Refusal | undefined {
  if (s.allReady) return undefined;
  return {
    message: `${deploymentRef(ctx, s.color)}: ${s.color} has ${s.ready}/${s.replicas} ready pods; traffic moves only to a color whose every replica is ready.`,
    remedy: `wait for the pods (\`cutover status\`), or deploy ${s.color} again`,
  };
}

export function mustRunRelease(
  ctx: EngineContext,
  s: ColorState,
  release: string | undefined,
): Refusal | undefined {
  if (!release || s.release === release) return undefined;
  return {
    message: `${deploymentRef(ctx, s.color)} runs release ${s.release ?? '(none)'}, not ${release}: refusing a stale release.`,
    remedy: `deploy ${release} first, or name the release that is deployed (--release ${s.release ?? '…'})`,
  };
}

export function mustBeTested(ctx: EngineContext, s: ColorState): Refusal | undefined {
  const v = s.verdict;
  if (v && v.release === s.release && v.result === 'passed') return undefined;
  const why = !v || v.release !== s.release ? 'has not been tested' : 'failed its smoke tests';
  return {
    message: `${deploymentRef(ctx, s.color)}: release ${s.release ?? '(none)'} on ${s.color} ${why}.`,
    remedy:
      v?.result === 'failed' && v.release === s.release
        ? 'fix it and deploy again'
        : 'run `cutover test` first',
  };
}

export function mustNotBeLive(
  ctx: EngineContext,
  routes: LiveRoutes,
  color: Color,
  doing: string,
): Refusal | undefined {
  if (routes.activeColor !== color) return undefined;
  return {
    message: `${vsRef(ctx)}: default route points to ${color}, the color you are ${doing}.`,
    remedy: `${doing.startsWith('decommission') ? `decommission ${otherColor(color)}` : `use ${otherColor(color)}`}, or promote/roll back first`,
  };
}

/** Drain window: the color left the default route at switched-at; wait drainSeconds after it. */
export function mustBeDrained(
  ctx: EngineContext,
  routes: LiveRoutes,
  color: Color,
  now: number,
): Refusal | undefined {
  const last = ctx.router.lastSwitch(routes);
  if (last.previousColor !== color) return undefined;
  const at = Date.parse(last.at ?? '');
  if (Number.isNaN(at)) return undefined;
  const until = at + ctx.config.drainSeconds * 1000;
  if (now >= until) return undefined;
  return {
    message: `${color} stopped serving plain traffic at ${new Date(at).toISOString()}; the drain window of ${ctx.config.drainSeconds} s ends at ${new Date(until).toISOString()} (${Math.ceil((until - now) / 1000)} s left).`,
    remedy: 'wait and run it again, or pass --force to skip the drain window',
  };
}

/** The release an operation acts on, and how the cluster says so (for the message). */
export interface ActsOn {
  release?: string;
  /** e.g. "green serves release r2". */
  because: string;
}

/**
 * A CI button of one release (rollback, decommission) names that release; it acts only while
 * that release is the one it acts on, so an older pipeline's button cannot undo or clean up
 * after a newer release.
 */
export function mustActOnRelease(
  ctx: EngineContext,
  wanted: string | undefined,
  actsOn: ActsOn,
  doing: 'rollback' | 'decommission',
): Refusal | undefined {
  if (wanted === undefined || actsOn.release === wanted) return undefined;
  return {
    message: `${vsRef(ctx)}: ${actsOn.because}, not ${wanted}: refusing a ${doing} for a release that is not live.`,
    remedy: actsOn.release
      ? `run the ${doing} of release ${actsOn.release} (--release ${actsOn.release}) if that is what you mean, or check \`cutover status\``
      : 'check `cutover status`',
  };
}

/** What the default route serves: the release a decommission (and a first rollback) acts on. */
export function liveRelease(routes: LiveRoutes, s: ColorState | undefined): ActsOn {
  if (!routes.activeColor || !s) return { because: 'no color serves traffic yet' };
  return { release: s.release, because: `${s.color} serves release ${s.release ?? '(unlabelled)'}` };
}
