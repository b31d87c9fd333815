// Preflight: before the first write (even before the lock's Lease), gather everything that can
// be wrong — input, cluster prerequisites, guards — and report all of it at once. Only reads.
// The guards run again under the lock (the cluster may change while a run waits in line); the
// preflight makes sure nothing is written when the answer is already known to be no.
import { GuardError, InputError, PreflightError } from '../errors.js';
import { readAppState, routesOf } from './app-state.js';
import { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import {
  chooseDeployColor,
  mustHaveColorSecret,
  readShared,
  resolveImage,
  type DeployInput,
} from './deploy.js';
import { gatewayReachable } from './gateway-probe.js';
import { imageFindings, inputFindings } from './preflight-input.js';
import { colorFromTag, namedReleaseId } from './release-id.js';
import { refuse } from './guards.js';
import { dataPlaneRefusal } from './deploy.js';
import { mustNotOrphanLiveRoutes } from './orphaned-routes.js';
import { mustKeepReleaseImage, mustNotRedeployLiveElsewhere, releasePosition } from './release-position.js';
import type { Color } from '../config/types.js';
import { silentLog } from './deps.js';
import { Findings } from './findings.js';
import { leaseName } from '../lock/identity.js';
import { LEASE_API_VERSION, leaseLapsed, type Lease } from '../lock/lease-record.js';

// Findings and preflightInput live in findings.ts, which the switch operations load without
// the deploy preflight's imports.
export { Findings, preflightInput, type Problem } from './findings.js';

export interface DeployPreflight {
  view: ClusterView;
  color?: Color;
  image?: string;
  findings: Findings;
}

/** Everything deploy needs to be true, read and checked before anything is written. */
export async function preflightDeploy(ctx: EngineContext, input: DeployInput): Promise<DeployPreflight> {
  const f = new Findings();
  f.add(...inputFindings(ctx));
  const unusable = f.problems.length;
  await f.collect(() => colorFromTag(input.tag));
  const image = await f.collect(() => resolveImage(ctx, input));
  // Without a usable tag or image there is no deploy to check against the cluster: say so
  // without connecting. Other input problems do not change what the cluster answers, so the
  // cluster's findings are gathered with them.
  if (f.problems.length > unusable) return { view: new ClusterView(), findings: f };
  f.add(...imageFindings(ctx, image, input.image ? '--image' : input.tag ? '--tag' : 'imageRepository'));
  const view = await readAppState(ctx, { routing: true });
  await readShared(ctx, view);
  // A retry of the live release only verifies it (release-position.ts): no color to choose.
  const named = namedReleaseId(input, ctx.deps.env);
  const position = named ? releasePosition(ctx, view, named, image) : undefined;
  if (position?.kind === 'live') {
    await f.collect(() => refuse(mustKeepReleaseImage(ctx, position, named!, image)));
    await f.collect(() =>
      refuse(mustNotRedeployLiveElsewhere(ctx, position, named!, input.color ?? colorFromTag(input.tag))),
    );
    await f.collect(() => gatewayReachable(ctx));
    return { view, color: position.color, image, findings: f };
  }
  const color = await f.collect(() => chooseDeployColor(ctx, routesOf(ctx, view), input));
  if (color) await f.collect(() => mustHaveColorSecret(ctx, color));
  let serving: string[] = [];
  if (color) {
    const refusal = dataPlaneRefusal(ctx, view, color, image, named ?? 'unnamed');
    serving = refusal?.objects ?? [];
    await f.collect(() => refuse(refusal));
  }
  // Objects an earlier cutover.yaml made that still serve users: also what the overlap check meets.
  const orphaned = mustNotOrphanLiveRoutes(ctx, view, serving);
  await f.collect(() => refuse(orphaned));
  serving = [...serving, ...(orphaned?.objects ?? [])];
  await f.collect(() => gatewayReachable(ctx));
  f.add(...(await overlapFindings(ctx, serving)));
  return { view, color, image, findings: f };
}

/**
 * Another app's routes for this app's hosts on the same gateway: refused when the gateway would
 * merge them (its order is undefined), a warning when a more specific host takes some requests.
 */
export async function overlapFindings(ctx: EngineContext, explained: string[] = []): Promise<InputError[]> {
  if (!ctx.router.readOverlaps) return [];
  const { overlaps, narrowed, hostsField, inManifests } = await ctx.router.readOverlaps(ctx.kube);
  if (narrowed) ctx.deps.log.warn(narrowed);
  const where = {
    file: (inManifests ? ctx.config.manifests?.dir : ctx.config.file) || undefined,
    field: hostsField,
  };
  return overlaps.flatMap((o) => {
    // An object the live-color guard names already serves this app's users (one left by an
    // earlier cutover.yaml, say): that refusal says what it is and what to do.
    if (explained.includes(o.other)) return [];
    if (o.severity === 'warn') {
      ctx.deps.log.warn(`${o.message}; ${o.remedy}`);
      return [];
    }
    return [new InputError(o.message, { ...where, remedy: o.remedy })];
  });
}

/**
 * The guards of an operation, checked before its lock is taken: the operation is planned once
 * as a dry run (reads only, no probe, no wait), and a refusal or bad input it meets is thrown
 * now — so a refused run writes nothing, not even the lock's Lease. Other problems are left to
 * the real run, which checks every guard again under the lock.
 */
export async function guardsFirst(
  ctx: EngineContext,
  plan: (dry: EngineContext) => Promise<unknown>,
): Promise<void> {
  if (ctx.dryRun || ctx.lock) return;
  const f = new Findings();
  f.add(...inputFindings(ctx));
  // While another run holds the lock, this one waits in line and judges the state it finds
  // then: a guard checked now could refuse what the run ahead is about to make true.
  if (!(await lockBusy(ctx)))
    await f.collect(async () => {
      try {
        await plan({ ...ctx, dryRun: true, deps: { ...ctx.deps, log: silentLog } });
      } catch (err) {
        if (err instanceof GuardError || err instanceof InputError || err instanceof PreflightError)
          throw err;
      }
    });
  f.throwIfAny();
}

async function lockBusy(ctx: EngineContext): Promise<boolean> {
  const lease = (await ctx.kube.getOptional({
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    name: leaseName(ctx.app),
    namespace: ctx.namespace,
  })) as Lease | undefined;
  return Boolean(lease?.spec?.holderIdentity) && !leaseLapsed(lease!, ctx.deps.clock());
}
