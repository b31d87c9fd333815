// Deployment → ReplicaSets, one pass over every Deployment (pkg/controller/deployment
// syncDeployment): a paused Deployment or a change of replicas alone only scales; otherwise the
// strategy rolls out the pod template, old ReplicaSets beyond revisionHistoryLimit are trimmed
// once the rollout is complete, and the status is written last.
import type { KubeObject, ObjectStore } from '../store/types.js';
import type { EventRecorder } from './event-recorder.js';
import { DEPLOYMENTS, PODS, REPLICASETS } from './kinds.js';
import { controllerRef } from './object-helpers.js';
import { deploymentSpec } from './defaults.js';
import { groupPodsByController } from './replicaset-controller.js';
import {
  cleanupOldReplicaSets,
  findNewReplicaSet,
  syncNewReplicaSetRevision,
  type DeploymentContext,
} from './deployment-replicasets.js';
import {
  isScalingEvent,
  rolloutRecreate,
  rolloutRolling,
  scaleForReplicasChange,
} from './deployment-rollout.js';
import {
  calculateStatus,
  isComplete,
  pausedConditions,
  rolloutStatus,
  type DeploymentStatus,
} from './deployment-status.js';

export function reconcileDeployments(
  store: ObjectStore,
  events: EventRecorder,
  now = Date.now(),
): number | undefined {
  const rsByOwner = new Map<string, KubeObject[]>();
  for (const rs of store.list(REPLICASETS).items) {
    const uid = controllerRef(rs)?.uid;
    if (uid) rsByOwner.set(uid, [...(rsByOwner.get(uid) ?? []), rs]);
  }
  const podsByRs = groupPodsByController(store.list(PODS).items);
  let wakeAt: number | undefined;
  let firstError: unknown;
  for (const deployment of store.list(DEPLOYMENTS).items) {
    if (deployment.metadata.deletionTimestamp) continue;
    const replicaSets = (rsByOwner.get(deployment.metadata.uid!) ?? []).sort(byCreation);
    const ctx: DeploymentContext = {
      store,
      events,
      deployment,
      spec: deploymentSpec(deployment.spec),
      replicaSets,
      podsByRs,
      now,
    };
    try {
      const next = syncDeployment(ctx);
      if (next !== undefined) wakeAt = Math.min(wakeAt ?? Infinity, next);
    } catch (err) {
      // One Deployment's conflict must not hold up the others; the loop retries after the pass.
      firstError ??= err;
    }
  }
  if (firstError) throw firstError;
  return wakeAt;
}

function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : a.metadata.name < b.metadata.name ? -1 : 1;
}

function syncDeployment(ctx: DeploymentContext): number | undefined {
  pausedConditions(ctx);
  if (ctx.spec.paused || isScalingEvent(ctx)) return syncScaleOnly(ctx);
  const newRs = ctx.spec.strategy.type === 'Recreate' ? rolloutRecreate(ctx) : rolloutRolling(ctx);
  const { status, wakeAt } = rolloutStatus(ctx, newRs);
  if (isComplete(ctx, status)) cleanupOldReplicaSets(ctx, newRs);
  writeStatus(ctx, status);
  return wakeAt;
}

function syncScaleOnly(ctx: DeploymentContext): undefined {
  let newRs = findNewReplicaSet(ctx);
  if (newRs) newRs = syncNewReplicaSetRevision(ctx, newRs);
  scaleForReplicasChange(ctx, newRs);
  if (ctx.spec.paused) cleanupOldReplicaSets(ctx, newRs);
  writeStatus(ctx, calculateStatus(ctx, newRs));
  return undefined;
}

function writeStatus(ctx: DeploymentContext, status: DeploymentStatus): void {
  ctx.deployment = ctx.store.update(DEPLOYMENTS, { ...ctx.deployment, status }, { subresource: 'status' });
}
