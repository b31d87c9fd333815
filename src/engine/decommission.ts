// cutover decommission: retire the idle color — never the live one — after the drain window,
// and only when plain traffic no longer reaches it. Order (make before break, reversed): the
// routes that name it, then what the router keeps for it (a subset, a color Service), then its
// Deployment. Each step is skipped when done, so a re-run after a crash picks up where it stopped.
import { mustNotServeUsers } from './live-color-guard.js';
import type { Color } from '../config/types.js';
import { mustNotBeNeededByAnalysis } from './analysis-watch.js';
import { GuardError } from '../errors.js';
import { otherColor } from '../routers/types.js';
import { APPS_V1, colorStateOf, deploymentOf, readAppState, routesOf } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { answerProblem, dataPlaneOf, verifiedText, verifyThroughPlane } from './gateway-probe.js';
import { servedBy, servedText } from '../routers/identity.js';
import {
  liveRelease,
  mustActOnRelease,
  mustBeDrained,
  mustNotBeLive,
  refuse,
  type Refusal,
} from './guards.js';
import { guardsFirst } from './preflight.js';
import { locked, type OperationInput } from './operation.js';
import { labelSafe } from './release-id.js';
import { routerStep, runSteps, type Step, type StepRecord } from './steps.js';

export interface DecommissionInput extends OperationInput {
  color?: Color;
  /** Skip the drain window (never the live-color guard, never the traffic check). */
  force?: boolean;
  /**
   * The live release, whose pipeline retires the color it replaced. Anything else is refused
   * (exit 3). Undefined: no such check (no CI run id fallback).
   */
  release?: string;
}

export interface DecommissionResult {
  operation: 'decommission';
  app: string;
  namespace: string;
  color: Color;
  release: string | null;
  dryRun: boolean;
  steps: StepRecord[];
  durationMs: number;
}

/** Plain requests sent to make sure none reaches the color about to go. */
export const TRAFFIC_CHECK_REQUESTS = 10;

export function decommissionColor(ctx: EngineContext, view: ClusterView, asked?: Color): Color {
  const routes = routesOf(ctx, view);
  const color = asked ?? (routes.activeColor ? otherColor(routes.activeColor) : routes.testColor);
  if (!color) {
    throw new GuardError(`${ctx.router.routeObjectName()}: no route names a color, so none is idle.`, {
      remedy: 'name the color: --color blue|green',
    });
  }
  return color;
}

/**
 * Probes the gateway like a user; any answer from this app's `color` refuses, and so does an
 * answer from another app (its routes take these requests: nothing then says where ours go).
 * A dry run sends nothing: it only says what it would check.
 */
async function plainTrafficRefusal(
  ctx: EngineContext,
  view: ClusterView,
  color: Color,
): Promise<Refusal | undefined> {
  if (!routesOf(ctx, view).activeColor) return undefined;
  if (ctx.dryRun) {
    ctx.deps.log.info(
      `dry run: would send ${TRAFFIC_CHECK_REQUESTS} plain requests to check none reaches ${color}`,
    );
    return undefined;
  }
  const plane = await dataPlaneOf(ctx, false);
  if (!plane.url) {
    ctx.deps.log.warn(`cannot send plain requests to check none reaches ${color}: ${plane.unverified}`);
    return undefined;
  }
  const url = plane.url + ctx.config.readinessPath;
  const { headers, freshConnections: freshConnection } = plane;
  const { colorHeader, appId } = ctx.source.settings;
  let hits = 0;
  let unanswered = 0;
  let foreign: string | undefined;
  for (let i = 0; i < TRAFFIC_CHECK_REQUESTS; i++) {
    const answer = await ctx.deps.http(url, {
      headers,
      timeoutMs: 5000,
      signal: ctx.deps.signal,
      freshConnection,
    });
    if (answer.status === 0) unanswered++;
    const served = servedBy(answer.headers, colorHeader);
    if (served.kind === 'identified' && served.identity.app !== appId) foreign = servedText(served);
    else if (answerProblem(answer.status, served, appId, { notColor: color })) hits++;
  }
  if (foreign) {
    return {
      message: `plain requests to ${url} are answered by ${foreign}, not by ${appId}: the hosts overlap, so nothing shows whether users have left ${color}.`,
      remedy:
        'give each app its own host on the gateway (gateway.hosts in cutover.yaml); `cutover check` names the overlap',
    };
  }
  // No answer is no evidence: without it, nothing says users have left the color.
  if (unanswered > 0) {
    return {
      message: `cannot check that plain traffic has left ${color}: ${unanswered} of ${TRAFFIC_CHECK_REQUESTS} probes to ${url} got no answer.`,
      remedy: 'check the gateway address (gatewayUrl in cutover.yaml) and run it again',
    };
  }
  if (hits === 0) return undefined;
  return {
    message: `the gateway still sends plain traffic to ${color} (${hits} of ${TRAFFIC_CHECK_REQUESTS} probes).`,
    remedy: 'the route change has not reached every gateway yet; wait and run it again',
  };
}

export function decommissionSteps(ctx: EngineContext, color: Color): Step[] {
  const { router } = ctx;
  return [
    {
      name: `remove the routes to ${color}`,
      plan: (v) => router.planRemoveRoutes(routesOf(ctx, v), color),
      routes: true,
      describe: `probe as a tester until ${color} no longer answers`,
      run: async () => {
        const r = await verifyThroughPlane(ctx, {
          notColor: color,
          consecutive: 3,
          tester: true,
          timeoutMs: ctx.config.verifyTimeoutSeconds * 1000,
          what: `testers leaving ${color}`,
        });
        return verifiedText(r, `no tester reaches ${color}`);
      },
    },
    ...routerStep(router.stepNames.removeColor(color), (v) =>
      router.planRemoveSubset(routesOf(ctx, v), color),
    ),
    {
      name: `delete Deployment ${ctx.source.deploymentName(color)}`,
      plan: (v) => planDeleteDeployment(ctx, v, color),
    },
  ];
}

export function planDeleteDeployment(ctx: EngineContext, view: ClusterView, color: Color) {
  const dep = deploymentOf(ctx, view, color);
  if (!dep) return [];
  return [
    {
      action: 'delete' as const,
      apiVersion: APPS_V1,
      kind: 'Deployment',
      namespace: ctx.namespace,
      name: dep.metadata.name,
      reason: `delete Deployment ${ctx.namespace}/${dep.metadata.name} (its pods go with it)`,
      resourceVersion: dep.metadata.resourceVersion,
    },
  ];
}

export async function decommission(
  ctx: EngineContext,
  input: DecommissionInput,
): Promise<DecommissionResult> {
  const release = input.release === undefined ? undefined : labelSafe(input.release);
  await guardsFirst(ctx, async (dry) =>
    decommissionOnView(dry, await readAppState(dry, { routing: true }), { ...input, release }),
  );
  return locked(ctx, { operation: 'decommission' }, input, async () => {
    const result = await decommissionOnView(ctx, await readAppState(ctx, { routing: true }), {
      ...input,
      release,
    });
    return { result, outcome: { color: result.color, release: result.release ?? undefined } };
  });
}

export async function decommissionOnView(
  ctx: EngineContext,
  view: ClusterView,
  input: DecommissionInput,
): Promise<DecommissionResult> {
  const routes = routesOf(ctx, view);
  const color = decommissionColor(ctx, view, input.color);
  // First: a stale button is refused for that reason, whatever else is wrong.
  const live = routes.activeColor ? colorStateOf(ctx, view, routes.activeColor) : undefined;
  refuse(mustActOnRelease(ctx, input.release, liveRelease(routes, live), 'decommission'));
  refuse(mustNotBeLive(ctx, routes, color, 'decommissioning'));
  refuse(mustNotBeNeededByAnalysis(ctx, view, routes));
  if (!input.force) refuse(mustBeDrained(ctx, routes, color, ctx.deps.clock()));
  refuse(mustNotServeUsers(ctx, view.routing, color, { live: deploymentOf(ctx, view, color) }, 'delete'));
  refuse(await plainTrafficRefusal(ctx, view, color));
  const release = deploymentOf(ctx, view, color)?.metadata.labels?.['cutover.dev/release'] ?? null;
  const steps = await runSteps(ctx, 'decommission', decommissionSteps(ctx, color), view);
  return {
    operation: 'decommission',
    app: ctx.app,
    namespace: ctx.namespace,
    color,
    release,
    dryRun: ctx.dryRun,
    steps,
    durationMs: 0,
  };
}
