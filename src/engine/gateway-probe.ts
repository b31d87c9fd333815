// Verification through the ingress gateway: the routes stamp who served (app, color, release) in
// a response header, so "the switch took effect" means N answers in a row from this app's new
// color and release — never another app's green. The data planes give no other reliable signal
// (reference §1.9).
import { InputError, OperationFailedError } from '../errors.js';
import type { Color } from '../config/types.js';
import type { EngineContext } from './context.js';
import { identityMismatch, servedBy, servedText, type Served } from '../routers/identity.js';

export interface ProbeTarget {
  url: string;
  headers: Record<string, string>;
}

export interface ProbeResult {
  /** From the start of probing to the first answer of the final streak. */
  effectMs: number;
  /** From the start of probing to the end of the streak. */
  verifiedMs: number;
  requests: number;
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

const discovered = new WeakMap<EngineContext, string>();

/** The data plane's base URL: configured, or found by the router. */
export async function gatewayUrl(ctx: EngineContext): Promise<string> {
  if (ctx.config.gatewayUrl) return ctx.config.gatewayUrl.replace(/\/$/, '');
  const known = discovered.get(ctx);
  if (known) return known;
  let plane = await ctx.router.dataPlane(ctx.kube, false);
  // A Gateway just created gets its address once its controller programs it.
  const until = ctx.deps.clock() + ctx.config.verifyTimeoutSeconds * 1000;
  while (!plane.url && (plane.createdByCutover || plane.pending) && ctx.deps.clock() < until) {
    await ctx.deps.sleep(200);
    plane = await ctx.router.dataPlane(ctx.kube, false);
  }
  if (!plane.url) {
    throw new InputError(`cannot find where to verify traffic: ${plane.unverified ?? 'no address'}`, {
      field: 'gatewayUrl',
      remedy: 'set gatewayUrl in cutover.yaml (or CUTOVER_GATEWAY_URL)',
    });
  }
  discovered.set(ctx, plane.url);
  return plane.url;
}

/**
 * Preflight: the data plane can be reached, or will be once this operation creates it (a
 * Gateway cutover owns gets its address when its controller programs it).
 */
export async function gatewayReachable(ctx: EngineContext): Promise<void> {
  if (ctx.config.gatewayUrl) return;
  const plane = await ctx.router.dataPlane(ctx.kube, false);
  if (plane.url || plane.createdByCutover) return;
  await gatewayUrl(ctx);
}

/** Headers a tester sends: the test cookie or header, and the Host the routes serve. */
export function probeHeaders(ctx: EngineContext, tester: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const host = ctx.source.settings.hosts.find((h) => h !== '*' && !h.startsWith('*.'));
  if (host) headers.host = host;
  if (!tester) return headers;
  const m = ctx.config.testMatch;
  if (m.type === 'cookie') headers.cookie = `${m.name}=${m.value}`;
  else headers[m.name] = m.value;
  return headers;
}

/** Why an answer does not count for the streak; undefined when it does. */
export function answerProblem(
  status: number,
  served: Served,
  appId: string,
  options: Pick<ProbeOptions, 'color' | 'release' | 'notColor'>,
): string | undefined {
  if (status <= 0) return 'no answer';
  if (options.color) {
    if (status >= 500) return `HTTP ${status}`;
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
  base: string,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const { deps } = ctx;
  const url = base + ctx.config.readinessPath;
  const headers = probeHeaders(ctx, options.tester);
  const { colorHeader, appId } = ctx.source.settings;
  const started = deps.clock();
  let streak = 0;
  let streakStart = started;
  let requests = 0;
  let last = '';
  while (deps.clock() - started < options.timeoutMs) {
    deps.signal?.throwIfAborted();
    const at = deps.clock();
    const answer = await deps.http(url, { headers, timeoutMs: 5000, signal: deps.signal });
    requests++;
    const served = servedBy(answer.headers, colorHeader);
    const why = answerProblem(answer.status, served, appId, options);
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
