// cutover deploy: put a release on the idle color and send testers to it. Plain traffic never
// moves here: the default route is left as it is, and the live color is never written.
import type { Color } from '../config/types.js';
import { GuardError, InputError, OperationFailedError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import type { CheckResult } from '../checks/types.js';
import { checkText, runHooks } from '../checks/index.js';
import { otherColor, type LiveRoutes } from '../routers/types.js';
import { deploymentOf, routesOf, readAppState } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { planDeployment, planEnsureObject } from './ensure-objects.js';
import { verifiedText, verifyThroughPlane } from './gateway-probe.js';
import { checkContext } from './check-context.js';
import { locked, type OperationInput } from './operation.js';
import { preflightDeploy } from './preflight.js';
import { colorFromTag, newReleaseId } from './release-id.js';
import { routerStep, runSteps, type Step, type StepRecord } from './steps.js';
import { waitForReplicas } from './wait-ready.js';
import { refuse, type Refusal } from './guards.js';
import { mustNotServeUsers } from './live-color-guard.js';
import { mustNotOrphanLiveRoutes } from './orphaned-routes.js';
import {
  mustKeepReleaseImage,
  mustNotRedeployLiveElsewhere,
  releasePosition,
  replacedRollbackTarget,
} from './release-position.js';
import { VERIFY_STREAK } from './switch.js';

export interface DeployInput extends OperationInput {
  image?: string;
  color?: Color;
  /** Seed-style git tag, e.g. v2.0-green: names the color (and the image tag with imageRepository). */
  tag?: string;
  release?: string;
}

export interface DeployResult {
  operation: 'deploy';
  app: string;
  namespace: string;
  release: string;
  color: Color;
  image: string | null;
  activeColor: Color | null;
  dryRun: boolean;
  steps: StepRecord[];
  hooks: CheckResult[];
  /** The release already served plain traffic: nothing was written, the gateway was probed. */
  alreadyLive: boolean;
  /** The release this deploy replaced on its color, which a rollback returned to until now. */
  replacedRollbackTarget: { release: string; color: Color } | null;
  durationMs: number;
}

export interface DeployTarget {
  color: Color;
  release: string;
  image?: string;
  active?: Color;
}

export function resolveImage(ctx: EngineContext, input: DeployInput): string | undefined {
  if (input.image) return input.image;
  if (input.tag && ctx.config.imageRepository) return `${ctx.config.imageRepository}:${input.tag}`;
  if (ctx.source.mode === 'manifests') return undefined;
  throw new InputError('deploy needs an image', {
    remedy: 'pass --image IMAGE, or --tag TAG with the image repository as `image:` in cutover.yaml',
  });
}

/** The color to deploy to: the one asked for (flag or tag), else the idle one. Never the live one. */
export function chooseDeployColor(ctx: EngineContext, routes: LiveRoutes, input: DeployInput): Color {
  const fromTag = colorFromTag(input.tag);
  if (input.color && fromTag && input.color !== fromTag) {
    throw new InputError(`--color ${input.color} contradicts tag ${input.tag}`, {
      remedy: 'drop one of them',
    });
  }
  const asked = input.color ?? fromTag;
  const active = routes.activeColor;
  if (asked && asked === active) {
    const vs = ctx.router.routeObjectName();
    throw new GuardError(`${vs}: default route points to ${active}, the color you are deploying to.`, {
      remedy: `Deploy to ${otherColor(active)}, or promote first.`,
    });
  }
  return asked ?? (active ? otherColor(active) : (routes.testColor ?? 'blue'));
}

export function deploySteps(ctx: EngineContext, target: DeployTarget, desired: KubeObject): Step[] {
  const { router, source, namespace } = ctx;
  const { color, active } = target;
  const shared = source.sharedObjects();
  const colors = active ? [active, color] : [color];
  return [
    {
      name: 'ensure shared objects',
      plan: (view) =>
        shared.flatMap((o) => planEnsureObject(o, view.get(o.kind, o.metadata.name), namespace)),
    },
    {
      name: `apply Deployment ${desired.metadata.name}`,
      plan: (view) => planDeployment(desired, deploymentOf(ctx, view, color), namespace),
    },
    {
      name: `wait for every ${color} replica`,
      describe: `wait until every replica of ${desired.metadata.name} is available`,
      run: (view) => waitForReplicas(ctx, color, view),
    },
    ...routerStep(router.stepNames.ensure(colors), (view) =>
      router.planEnsure(routesOf(ctx, view), colors, color),
    ),
    {
      name: `send testers to ${color}`,
      plan: (view) => router.planTestTraffic(routesOf(ctx, view), color, target.release),
      routes: true,
      describe: `probe the gateway as a tester until ${color} answers`,
      run: async () => verifyTesters(ctx, color, target.release),
    },
    ...(ctx.config.hooks.preTest.length ? [preTestStep(ctx, color)] : []),
  ];
}

async function verifyTesters(ctx: EngineContext, color: Color, release: string): Promise<string> {
  const r = await verifyThroughPlane(ctx, {
    color,
    release,
    consecutive: 3,
    timeoutMs: ctx.config.verifyTimeoutSeconds * 1000,
    tester: true,
    what: `testers reaching ${color}`,
  });
  return verifiedText(r, `testers reach ${color}`);
}

function preTestStep(ctx: EngineContext, color: Color): Step {
  return {
    name: 'pre-test hooks',
    describe: `run ${ctx.config.hooks.preTest.map((h) => h.name).join(', ')} against ${color}`,
    run: async (view) => {
      const results = await runHooks(
        await checkContext(ctx, color, deploymentOf(ctx, view, color)),
        ctx.config.hooks.preTest,
      );
      hookResults.set(ctx, results);
      const failed = results.find((r) => !r.ok);
      if (failed) {
        throw new OperationFailedError(`pre-test hook failed: ${checkText(failed)}`, {
          remedy: 'fix the hook or the release and deploy again; live traffic was not touched',
        });
      }
      return results.map((r) => r.detail).join('; ');
    },
  };
}

const hookResults = new WeakMap<EngineContext, CheckResult[]>();

/** The color's Secret (the seed's env-blue / env-green) must exist, or its pods never start. */
export async function mustHaveColorSecret(ctx: EngineContext, color: Color): Promise<void> {
  const name = ctx.config.secrets[color];
  if (!name || ctx.source.mode !== 'builders') return;
  const secret = await ctx.kube.getOptional({
    apiVersion: 'v1',
    kind: 'Secret',
    name,
    namespace: ctx.namespace,
  });
  if (secret) return;
  throw new InputError(
    `Secret ${ctx.namespace}/${name} does not exist; the ${color} pods read their settings from it`,
    {
      file: ctx.config.file || undefined,
      field: `secrets.${color}`,
      remedy: `create it first, e.g. \`cutover secrets sync --color ${color}\` from CI variables`,
    },
  );
}

/**
 * The live color is what the data plane says: no write to `color`'s Deployment while any routing
 * object of the namespace sends plain traffic to its pods, now or after the write.
 */
export function dataPlaneRefusal(
  ctx: EngineContext,
  view: ClusterView,
  color: Color,
  image: string | undefined,
  release: string,
): Refusal | undefined {
  const activeColor = routesOf(ctx, view).activeColor;
  const desired = ctx.source.deployment({ color, image, release, activeColor });
  return mustNotServeUsers(
    ctx,
    view.routing,
    color,
    { live: deploymentOf(ctx, view, color), desired },
    'deploy into',
  );
}

/** A retried deploy of the live release: verify that users get it, write nothing. */
async function verifyAlreadyLive(
  ctx: EngineContext,
  view: ClusterView,
  color: Color,
  release: string,
): Promise<StepRecord[]> {
  const step: Step = {
    name: `release ${release} is already live on ${color}`,
    describe: `probe plain requests until ${VERIFY_STREAK} in a row come from ${color}`,
    run: async () => {
      const r = await verifyThroughPlane(ctx, {
        color,
        release,
        consecutive: VERIFY_STREAK,
        tester: false,
        timeoutMs: ctx.config.verifyTimeoutSeconds * 1000,
        what: `plain traffic reaching ${color}`,
      });
      if (r.unverified) return `${verifiedText(r, '')}; neither color was written`;
      return `verified: plain traffic reaches ${color} (${r.requests} probes); neither color was written`;
    },
  };
  return runSteps(ctx, 'deploy', [step], view);
}

export async function readShared(ctx: EngineContext, view: ClusterView): Promise<void> {
  const shared = ctx.source.sharedObjects();
  const live = await Promise.all(
    shared.map((o) =>
      ctx.kube.getOptional({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        namespace: o.metadata.namespace ?? ctx.namespace,
      }),
    ),
  );
  shared.forEach((o, i) => view.put(o.kind, o.metadata.name, live[i]));
}

export async function deploy(ctx: EngineContext, input: DeployInput): Promise<DeployResult> {
  (await preflightDeploy(ctx, input)).findings.throwIfAny();
  const release = newReleaseId(input, ctx.deps.env, ctx.deps.clock(), ctx.deps.random);
  const image = resolveImage(ctx, input);
  return locked(ctx, { operation: 'deploy', release }, input, async () => {
    const view = await readAppState(ctx, { routing: true });
    await readShared(ctx, view);
    const result = await deployOnView(ctx, view, input, release, image);
    return { result, outcome: deployOutcome(result) };
  });
}

/** The deploy itself on a view read under the lock (release runs it inside its own lock). */
export async function deployOnView(
  ctx: EngineContext,
  view: ClusterView,
  input: DeployInput,
  release: string,
  image: string | undefined,
): Promise<DeployResult> {
  const routes = routesOf(ctx, view);
  const base = {
    operation: 'deploy' as const,
    app: ctx.app,
    namespace: ctx.namespace,
    release,
    activeColor: routes.activeColor ?? null,
    dryRun: ctx.dryRun,
    durationMs: 0,
  };
  // A retry of a release that is live converges on it: the idle color holds the way back.
  const position = releasePosition(ctx, view, release, image);
  refuse(mustKeepReleaseImage(ctx, position, release, image));
  refuse(mustNotRedeployLiveElsewhere(ctx, position, release, input.color ?? colorFromTag(input.tag)));
  if (position.kind === 'live') {
    const steps = await verifyAlreadyLive(ctx, view, position.color, release);
    return {
      ...base,
      color: position.color,
      image: position.state.image ?? image ?? null,
      steps,
      hooks: [],
      alreadyLive: true,
      replacedRollbackTarget: null,
    };
  }
  const color = chooseDeployColor(ctx, routes, input);
  const target: DeployTarget = { color, release, image, active: routes.activeColor };
  await mustHaveColorSecret(ctx, color);
  const replaced = replacedRollbackTarget(ctx, view, color, release) ?? null;
  if (replaced) {
    ctx.deps.log.warn(
      `release ${replaced.release} on ${color} stops being the rollback target: ${color} now gets ${release}`,
    );
  }
  const desired = ctx.source.deployment({ color, image, release, activeColor: routes.activeColor });
  refuse(dataPlaneRefusal(ctx, view, color, image, release));
  refuse(mustNotOrphanLiveRoutes(ctx, view));
  const steps = await runSteps(ctx, 'deploy', deploySteps(ctx, target, desired), view);
  return {
    ...base,
    color,
    image: image ?? imageFrom(desired),
    steps,
    hooks: hookResults.get(ctx) ?? [],
    alreadyLive: false,
    replacedRollbackTarget: replaced,
  };
}

function imageFrom(dep: KubeObject): string | null {
  const cs = (dep.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } })?.template
    ?.spec?.containers;
  return cs?.[0]?.image ?? null;
}

/** What the history records of a deploy. */
export function deployOutcome(r: DeployResult) {
  const detail = r.alreadyLive
    ? 'already live, verified; nothing written'
    : r.replacedRollbackTarget
      ? `replaced ${r.replacedRollbackTarget.release}, the rollback target until then`
      : undefined;
  return { color: r.color, image: r.image ?? undefined, ...(detail ? { detail } : {}) };
}
