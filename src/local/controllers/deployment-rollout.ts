// How a Deployment moves from its old ReplicaSets to the new one: Recreate (old to zero, wait
// until their pods are gone, then the new one) and RollingUpdate (surge the new one within
// maxSurge, scale the old ones down while at least replicas − maxUnavailable stay available).
// The arithmetic is pkg/controller/deployment/{recreate,rolling}.go.
import type { KubeObject } from '../store/types.js';
import { intOrPercent } from './object-helpers.js';
import { isPodActive, podPhase } from './pod-state.js';
import {
  createNewReplicaSet,
  findNewReplicaSet,
  rsReplicas,
  rsStatus,
  scaleReplicaSet,
  syncNewReplicaSetRevision,
  type DeploymentContext,
} from './deployment-replicasets.js';
import type { DeploymentSpec } from './defaults.js';

/** maxSurge (rounded up) and maxUnavailable (rounded down); never both zero. */
export function fenceposts(spec: DeploymentSpec): { maxSurge: number; maxUnavailable: number } {
  if (spec.strategy.type !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const ru = spec.strategy.rollingUpdate;
  const maxSurge = intOrPercent(ru?.maxSurge, spec.replicas, true, '25%');
  let maxUnavailable = intOrPercent(ru?.maxUnavailable, spec.replicas, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, spec.replicas) };
}

const sum = (list: KubeObject[], f: (rs: KubeObject) => number) => list.reduce((n, rs) => n + f(rs), 0);

export function oldReplicaSets(ctx: DeploymentContext, newRs: KubeObject | undefined): KubeObject[] {
  return ctx.replicaSets.filter((rs) => rs.metadata.uid !== newRs?.metadata.uid);
}

export function rolloutRecreate(ctx: DeploymentContext): KubeObject | undefined {
  let newRs = findNewReplicaSet(ctx);
  if (newRs) newRs = syncNewReplicaSetRevision(ctx, newRs);
  for (const rs of oldReplicaSets(ctx, newRs)) if (rsReplicas(rs) > 0) scaleReplicaSet(ctx, rs, 0);
  // The new pods start only once every old pod has stopped: Recreate guarantees no overlap.
  if (oldPodsRunning(ctx, newRs)) return newRs;
  if (!newRs) return createNewReplicaSet(ctx, ctx.spec.replicas);
  return scaleReplicaSet(ctx, newRs, ctx.spec.replicas);
}

function oldPodsRunning(ctx: DeploymentContext, newRs: KubeObject | undefined): boolean {
  for (const rs of oldReplicaSets(ctx, newRs)) {
    if (rsStatus(rs).replicas > 0) return true;
    for (const pod of ctx.podsByRs.get(rs.metadata.uid!) ?? []) {
      const phase = podPhase(pod);
      if (phase !== 'Succeeded' && phase !== 'Failed') return true;
    }
  }
  return false;
}

export function rolloutRolling(ctx: DeploymentContext): KubeObject | undefined {
  let newRs = findNewReplicaSet(ctx);
  if (newRs) newRs = syncNewReplicaSetRevision(ctx, newRs);
  else newRs = createNewReplicaSet(ctx, newReplicaCount(ctx, undefined));
  if (!newRs) return undefined;
  newRs = reconcileNewReplicaSet(ctx, newRs);
  reconcileOldReplicaSets(ctx, newRs);
  return newRs;
}

function newReplicaCount(ctx: DeploymentContext, newRs: KubeObject | undefined): number {
  const current = newRs ? rsReplicas(newRs) : 0;
  const { maxSurge } = fenceposts(ctx.spec);
  const total = sum(ctx.replicaSets, rsReplicas);
  const room = ctx.spec.replicas + maxSurge - total;
  if (room <= 0) return current;
  return current + Math.min(room, ctx.spec.replicas - current);
}

function reconcileNewReplicaSet(ctx: DeploymentContext, newRs: KubeObject): KubeObject {
  const current = rsReplicas(newRs);
  if (current === ctx.spec.replicas) return scaleReplicaSet(ctx, newRs, current);
  if (current > ctx.spec.replicas) return scaleReplicaSet(ctx, newRs, ctx.spec.replicas);
  return scaleReplicaSet(ctx, newRs, newReplicaCount(ctx, newRs));
}

function reconcileOldReplicaSets(ctx: DeploymentContext, newRs: KubeObject): void {
  const olds = oldReplicaSets(ctx, newRs).filter((rs) => rsReplicas(rs) > 0);
  if (olds.length === 0) return;
  const { maxUnavailable } = fenceposts(ctx.spec);
  const minAvailable = ctx.spec.replicas - maxUnavailable;
  const newUnavailable = rsReplicas(newRs) - rsStatus(newRs).availableReplicas;
  let budget = sum(ctx.replicaSets, rsReplicas) - minAvailable - newUnavailable;
  if (budget <= 0) return;
  // First drop old pods that are not available anyway (they cost no availability)...
  for (const rs of olds) {
    if (budget <= 0) break;
    const unhealthy = rsReplicas(rs) - activeAvailable(ctx, rs);
    const cut = Math.min(budget, Math.max(0, unhealthy));
    if (cut > 0) {
      scaleReplicaSet(ctx, current(ctx, rs), rsReplicas(current(ctx, rs)) - cut);
      budget -= cut;
    }
  }
  // ...then available ones, as far as minAvailable allows, oldest ReplicaSets first. A ReplicaSet
  // counts at most its spec.replicas: right after a scale-down its status still counts the pods
  // its controller is about to delete, and trusting that stale figure let two new pods turning
  // ready at once take the old ReplicaSet to zero with only half the replicas available.
  let spare =
    sum(ctx.replicaSets, (rs) => Math.min(rsReplicas(rs), rsStatus(rs).availableReplicas)) - minAvailable;
  for (const rs of olds.map((r) => current(ctx, r))) {
    if (spare <= 0) break;
    const cut = Math.min(rsReplicas(rs), spare);
    if (cut > 0) scaleReplicaSet(ctx, rs, rsReplicas(rs) - cut);
    spare -= cut;
  }
}

function activeAvailable(ctx: DeploymentContext, rs: KubeObject): number {
  const active = (ctx.podsByRs.get(rs.metadata.uid!) ?? []).filter(isPodActive).length;
  return Math.min(rsStatus(rs).availableReplicas, active);
}

function current(ctx: DeploymentContext, rs: KubeObject): KubeObject {
  return ctx.replicaSets.find((r) => r.metadata.uid === rs.metadata.uid) ?? rs;
}

/**
 * A change of spec.replicas alone (no new template): scale the ReplicaSets that have replicas,
 * proportionally when a rollout is in flight, so that the total stays within replicas + maxSurge.
 */
export function isScalingEvent(ctx: DeploymentContext): boolean {
  const active = ctx.replicaSets.filter((rs) => rsReplicas(rs) > 0);
  return active.some(
    (rs) =>
      rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'] !== String(ctx.spec.replicas),
  );
}

export function scaleForReplicasChange(ctx: DeploymentContext, newRs: KubeObject | undefined): void {
  const active = ctx.replicaSets.filter((rs) => rsReplicas(rs) > 0);
  if (active.length <= 1) {
    // One active ReplicaSet takes the full count; with none, the newest one does.
    const target = active[0] ?? newRs ?? ctx.replicaSets[ctx.replicaSets.length - 1];
    if (target) scaleReplicaSet(ctx, target, ctx.spec.replicas);
    return;
  }
  if (
    newRs &&
    rsReplicas(newRs) === ctx.spec.replicas &&
    rsStatus(newRs).availableReplicas >= ctx.spec.replicas
  ) {
    for (const rs of oldReplicaSets(ctx, newRs)) scaleReplicaSet(ctx, current(ctx, rs), 0);
    return;
  }
  if (ctx.spec.strategy.type !== 'RollingUpdate') return;
  const { maxSurge } = fenceposts(ctx.spec);
  const allowed = ctx.spec.replicas + maxSurge;
  const total = sum(active, rsReplicas);
  // Largest first; the rounding remainder goes to the largest (deployment/util.getProportion).
  const sorted = [...active].sort((a, b) => rsReplicas(b) - rsReplicas(a));
  const shares = sorted.map((rs) => Math.trunc((rsReplicas(rs) * (allowed - total)) / total));
  shares[0]! += allowed - total - shares.reduce((a, b) => a + b, 0);
  sorted.forEach((rs, i) => scaleReplicaSet(ctx, current(ctx, rs), Math.max(0, rsReplicas(rs) + shares[i]!)));
}
