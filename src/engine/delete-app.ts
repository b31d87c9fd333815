// cutover delete: remove an app entirely — the router's routes (and what they name), both
// colors, the shared objects, the router's Gateway if cutover created it and no other app uses
// it, then the history and the lock. Refused while plain traffic still reaches the app (unless
// forced). Objects cutover did not create (no app.kubernetes.io/managed-by: cutover label) are
// never touched: they are listed as kept.
// Order (make before break, reversed): routes first, so no request is sent to pods being deleted.
import { GuardError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import { LEASE_API_VERSION } from '../lock/lease-record.js';
import { leaseName } from '../lock/identity.js';
import { LABELS, MANAGED_BY } from '../manifests/types.js';
import { servedBy } from '../routers/identity.js';
import { COLORS, type ObjectChange, type TeardownStage } from '../routers/types.js';
import { deploymentOf, readAppState, routesOf } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { readShared } from './deploy.js';
import { dataPlaneOf } from './gateway-probe.js';
import { historyName } from './history.js';
import { locked, type OperationInput } from './operation.js';
import { runSteps, type StepRecord } from './steps.js';

export interface DeleteInput extends OperationInput {
  /** Delete even while plain traffic reaches the app. */
  force?: boolean;
}

export interface DeleteResult {
  operation: 'delete';
  app: string;
  namespace: string;
  /** Objects left in place because cutover did not create them. */
  kept: string[];
  dryRun: boolean;
  steps: StepRecord[];
  durationMs: number;
}

const PROBES = 10;

function createdByCutover(obj: KubeObject | undefined): boolean {
  return obj?.metadata.labels?.[LABELS.managedBy] === MANAGED_BY;
}

function planDelete(obj: KubeObject, namespace: string): ObjectChange {
  return {
    action: 'delete',
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? namespace,
    name: obj.metadata.name,
    reason: `delete ${obj.kind} ${obj.metadata.namespace ?? namespace}/${obj.metadata.name}`,
    resourceVersion: obj.metadata.resourceVersion,
  };
}

/** Plain requests that this app still answers: users reach it, so it is not deleted (unless forced). */
async function trafficRefusal(ctx: EngineContext, view: ClusterView): Promise<GuardError | undefined> {
  if (!routesOf(ctx, view).activeColor || ctx.dryRun) return undefined;
  const plane = await dataPlaneOf(ctx, false);
  if (!plane.url) {
    ctx.deps.log.warn(`cannot check that users have left ${ctx.source.settings.appId}: ${plane.unverified}`);
    return undefined;
  }
  const url = plane.url + ctx.config.readinessPath;
  const { headers, freshConnections: freshConnection } = plane;
  let ours = 0;
  let unanswered = 0;
  for (let i = 0; i < PROBES; i++) {
    const a = await ctx.deps.http(url, {
      headers,
      timeoutMs: 5000,
      signal: ctx.deps.signal,
      freshConnection,
    });
    const served = servedBy(a.headers, ctx.source.settings.colorHeader);
    if (a.status === 0) unanswered++;
    else if (
      served.kind === 'legacy' ||
      (served.kind === 'identified' && served.identity.app === ctx.source.settings.appId)
    )
      ours++;
  }
  const remedy = 'send the users elsewhere first (DNS, another app on these hosts), or pass --force';
  if (ours > 0)
    return new GuardError(
      `plain traffic still reaches ${ctx.source.settings.appId} (${ours} of ${PROBES} probes to ${url}).`,
      { remedy },
    );
  if (unanswered > 0)
    return new GuardError(
      `cannot check that users have left ${ctx.source.settings.appId}: ${unanswered} of ${PROBES} probes to ${url} got no answer.`,
      { remedy },
    );
  return undefined;
}

export async function deleteApp(ctx: EngineContext, input: DeleteInput): Promise<DeleteResult> {
  const result = await locked(ctx, { operation: 'delete' }, input, async () => {
    const view = await readAppState(ctx);
    await readShared(ctx, view);
    if (!input.force) {
      const refusal = await trafficRefusal(ctx, view);
      if (refusal) throw refusal;
    }
    const teardown = await ctx.router.teardown(ctx.kube, routesOf(ctx, view));
    const kept: string[] = [...teardown.kept];
    const mine = (obj: KubeObject | undefined): KubeObject[] => {
      if (!obj) return [];
      if (createdByCutover(obj)) return [obj];
      kept.push(`${obj.kind} ${obj.metadata.namespace ?? ctx.namespace}/${obj.metadata.name}`);
      return [];
    };
    const shared = ctx.source.sharedObjects().map((o) => view.get(o.kind, o.metadata.name));
    const plan = (objs: KubeObject[]) => () => objs.map((o) => planDelete(o, ctx.namespace));
    const stage = (t: TeardownStage) => ({ name: t.name, plan: plan(t.objects.flatMap(mine)) });
    const steps = await runSteps(
      ctx,
      'delete',
      [
        ...teardown.beforeWorkloads.map(stage),
        { name: 'delete both colors', plan: plan(COLORS.flatMap((c) => mine(deploymentOf(ctx, view, c)))) },
        { name: 'delete the Service and shared objects', plan: plan(shared.flatMap(mine)) },
        ...teardown.afterWorkloads.map(stage),
      ],
      view,
    );
    const r: DeleteResult = {
      operation: 'delete',
      app: ctx.app,
      namespace: ctx.namespace,
      kept,
      dryRun: ctx.dryRun,
      steps,
      durationMs: 0,
    };
    return { result: r, outcome: {} };
  });
  if (!ctx.dryRun) await forgetApp(ctx);
  return result;
}

/** The history and the lock go last, after the lock is released (the app has no objects left). */
async function forgetApp(ctx: EngineContext): Promise<void> {
  for (const ref of [
    { apiVersion: 'v1', kind: 'ConfigMap', name: historyName(ctx.app) },
    { apiVersion: LEASE_API_VERSION, kind: 'Lease', name: leaseName(ctx.app) },
  ]) {
    const obj = await ctx.kube.getOptional({ ...ref, namespace: ctx.namespace });
    if (obj)
      await ctx.kube
        .delete({ ...ref, namespace: ctx.namespace }, { resourceVersion: obj.metadata.resourceVersion })
        .catch((err: unknown) => {
          ctx.deps.log.warn(
            `could not delete ${ref.kind} ${ctx.namespace}/${ref.name}: ${(err as Error).message}`,
          );
        });
  }
}
