// Verification through the data plane: the routes stamp who served (app, color, release) in a
// response header, so "the switch took effect" means N answers in a row from this app's new
// color and release — never another app's green (reference §1.9). A plain Service has no proxy
// to stamp answers: there the router first confirms the endpoints (awaitServing), and answers
// count when healthy unless the app itself says who served.
import { InputError, OperationFailedError } from '../errors.js';
import type { Color } from '../config/types.js';
import type { EngineContext } from './context.js';
import { identityMismatch, servedBy, servedText, type Served } from '../routers/identity.js';

export interface ProbeResult {
  /** From the start of probing to the first answer of the final streak. */
  effectMs: number;
  /** From the start of probing to the end of the streak. */
  verifiedMs: number;
  requests: number;
  /** Set when no URL could reach the data plane: said plainly, nothing was probed. */
  unverified?: string;
  /** What the router confirmed from the cluster before probing (e.g. a Service's endpoints). */
  serving?: string;
  /** Nothing could be probed because what reached the color is gone (a preview Service deleted). */
  gone?: string;
}

export interface ProbeOptions {
  /** The color every answer of the streak must come from (this app's), or… */
  color?: Color;
  /** …with this release, when known. */
  release?: string;
  /** …a color no answer of the streak may carry (404 and other colors count). */
  notColor?: Color;
  consecutive: number;
  timeoutMs: number;
  /** Send the test match (cookie or header) with each request. */
  tester: boolean;
  what: string;
}

/** The data plane as the engine probes it: where, with which headers, and how to read answers. */
export interface Plane {
  /** Undefined only when the router says no URL can reach it by design (`unverified` says why). */
  url?: string;
  headers: Record<string, string>;
  unverified?: string;
  freshConnections?: boolean;
  unmarkedAnswers?: boolean;
}

const known = new WeakMap<EngineContext, Map<boolean, Plane>>();

/**
 * Where users (or testers) reach the app, as the router says (a URL from cutover.yaml, or an
 * address it discovers). An address cutover's own objects are about to get is waited for.
 * Throws when no URL is known, unless the router says none can exist (then `unverified`).
 */
export async function dataPlaneOf(ctx: EngineContext, tester: boolean): Promise<Plane> {
  const cached = known.get(ctx)?.get(tester);
  if (cached) return cached;
  let plane = await ctx.router.dataPlane(ctx.kube, tester);
  // A Gateway or LoadBalancer Service just created gets its address once its controller programs it.
  const until = ctx.deps.clock() + ctx.config.verifyTimeoutSeconds * 1000;
  while (!plane.url && (plane.createdByCutover || plane.pending) && ctx.deps.clock() < until) {
    await ctx.deps.sleep(200, ctx.deps.signal);
    plane = await ctx.router.dataPlane(ctx.kube, tester);
  }
  if (!plane.url && !plane.unverifiable) {
    const field = plane.urlField ?? 'gatewayUrl';
    throw new InputError(`cannot find where to verify traffic: ${plane.unverified ?? 'no address'}`, {
      field,
      remedy: `set ${field} in cutover.yaml${field === 'gatewayUrl' ? ' (or CUTOVER_GATEWAY_URL)' : ''}`,
    });
  }
  const found: Plane = {
    url: plane.url,
    headers: plane.headers,
    unverified: plane.url ? undefined : plane.unverified,
    freshConnections: plane.freshConnections,
    unmarkedAnswers: plane.unmarkedAnswers,
  };
  if (found.url) known.set(ctx, (known.get(ctx) ?? new Map<boolean, Plane>()).set(tester, found));
  return found;
}

/** The base URL plain users reach (for the gateway's stats and the dashboard); throws when none. */
export async function gatewayUrl(ctx: EngineContext): Promise<string> {
  const plane = await dataPlaneOf(ctx, false);
  if (plane.url) return plane.url;
  throw new InputError(`cannot find where to verify traffic: ${plane.unverified ?? 'no address'}`, {
    field: 'gatewayUrl',
    remedy: 'set gatewayUrl in cutover.yaml (or CUTOVER_GATEWAY_URL)',
  });
}

/**
 * Preflight: the data plane can be reached, or will be once this operation creates it (a
 * Gateway or Service cutover owns gets its address when its controller programs it), or the
 * router says no URL can reach it (the operation then says the data plane was not verified).
 */
export async function gatewayReachable(ctx: EngineContext): Promise<void> {
  const plane = await ctx.router.dataPlane(ctx.kube, false);
  if (plane.url || plane.createdByCutover || plane.unverifiable) return;
  await dataPlaneOf(ctx, false);
}

/**
 * Verifies a switch: first what the router can confirm from the cluster (awaitServing: e.g. a
 * Service's endpoints), then answers through the data plane. When no URL can reach it, says
 * plainly that the data plane was not verified and does not pretend otherwise.
 */
export async function verifyThroughPlane(ctx: EngineContext, options: ProbeOptions): Promise<ProbeResult> {
  const started = ctx.deps.clock();
  const timeoutMs = options.timeoutMs;
  const serving =
    options.color && ctx.router.awaitServing
      ? await ctx.router.awaitServing(
          ctx.kube,
          { color: options.color, release: options.release, tester: options.tester },
          { timeoutMs, clock: ctx.deps.clock, sleep: (ms) => ctx.deps.sleep(ms, ctx.deps.signal) },
        )
      : undefined;
  if (options.notColor) {
    // Leaving a color: when what reached it no longer exists, nobody reaches it that way.
    const now = await ctx.router.dataPlane(ctx.kube, options.tester);
    if (!now.url && now.missing) return { effectMs: 0, verifiedMs: 0, requests: 0, gone: now.missing };
  }
  const plane = await dataPlaneOf(ctx, options.tester);
  if (!plane.url) {
    ctx.deps.log.warn(`${options.what}: ${plane.unverified}`);
    const at = ctx.deps.clock() - started;
    return { effectMs: at, verifiedMs: at, requests: 0, unverified: plane.unverified, serving };
  }
  const r = await probeUntil(ctx, plane, options);
  return { ...r, serving };
}

/** One line for a step's detail: what was verified, and how. */
export function verifiedText(r: ProbeResult, what: string): string {
  if (r.gone) return `${what}: ${r.gone} is gone`;
  const endpoints = r.serving ? `${r.serving}; ` : '';
  if (r.unverified) return `${endpoints}${r.unverified}`;
  return `${endpoints}${what} (after ${r.effectMs} ms, ${r.requests} probes)`;
}

/** Why an answer does not count for the streak; undefined when it does. */
export function answerProblem(
  status: number,
  served: Served,
  appId: string,
  options: Pick<ProbeOptions, 'color' | 'release' | 'notColor'>,
  unmarkedAnswers = false,
): string | undefined {
  if (status <= 0) return 'no answer';
  if (options.color) {
    if (status >= 500) return `HTTP ${status}`;
    // No proxy stamps who served (a plain Service): a healthy answer that names nobody counts.
    if (unmarkedAnswers && served.kind === 'unknown') return undefined;
    return identityMismatch(served, { app: appId, color: options.color, release: options.release });
  }
  const ours = served.kind === 'legacy' || (served.kind === 'identified' && served.identity.app === appId);
  const color =
    served.kind === 'identified'
      ? served.identity.color
      : served.kind === 'legacy'
        ? served.color
        : undefined;
  return ours && color === options.notColor ? `answered by ${color}` : undefined;
}

export async function probeUntil(
  ctx: EngineContext,
  plane: Plane,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const { deps } = ctx;
  const base = plane.url!;
  const url = base + ctx.config.readinessPath;
  const { headers, freshConnections: freshConnection, unmarkedAnswers } = plane;
  const { colorHeader, appId } = ctx.source.settings;
  const started = deps.clock();
  let streak = 0;
  let streakStart = started;
  let requests = 0;
  let last = '';
  while (deps.clock() - started < options.timeoutMs) {
    deps.signal?.throwIfAborted();
    const at = deps.clock();
    const answer = await deps.http(url, { headers, timeoutMs: 5000, signal: deps.signal, freshConnection });
    requests++;
    const served = servedBy(answer.headers, colorHeader);
    const why = answerProblem(answer.status, served, appId, options, unmarkedAnswers);
    const good = why === undefined;
    const from = servedText(served);
    last = `HTTP ${answer.status}${from ? ` from ${from}` : ''}${why && served.kind === 'identified' ? ` — ${why}` : ''}`;
    if (good && streak === 0) streakStart = at;
    streak = good ? streak + 1 : 0;
    if (streak >= options.consecutive) {
      return { effectMs: streakStart - started, verifiedMs: deps.clock() - started, requests };
    }
    deps.log.progress?.(
      `${streak}/${options.consecutive} answers in a row, last ${last}; ${Math.round((deps.clock() - started) / 1000)} s of ${Math.round(options.timeoutMs / 1000)} s`,
    );
    if (!good) await deps.sleep(50, deps.signal);
  }
  throw new OperationFailedError(
    `${options.what}: not verified within ${options.timeoutMs} ms (last answer: ${last})`,
    {
      remedy: `check the gateway (${base}) and \`cutover status\`; the routes are written, re-run the command to verify again`,
    },
  );
}
