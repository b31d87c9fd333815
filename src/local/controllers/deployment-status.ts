// A Deployment's status as `kubectl rollout status` reads it: counts summed over its
// ReplicaSets, and the Available and Progressing conditions with the reasons and messages of
// pkg/controller/deployment/{sync,progress}.go — including ProgressDeadlineExceeded once no
// progress was made for progressDeadlineSeconds.
import type { KubeObject } from '../store/types.js';
import { timestamp } from './object-helpers.js';
import { fenceposts } from './deployment-rollout.js';
import {
  progressingCondition,
  rsReplicas,
  rsStatus,
  type DeploymentCondition,
  type DeploymentContext,
} from './deployment-replicasets.js';

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: DeploymentCondition[];
}

const COUNT_FIELDS = [
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
] as const;

/** The counts and the Available condition (calculateStatus); other conditions are carried over. */
export function calculateStatus(ctx: DeploymentContext, newRs: KubeObject | undefined): DeploymentStatus {
  const old = (ctx.deployment.status ?? {}) as DeploymentStatus;
  const sum = (f: (rs: KubeObject) => number) => ctx.replicaSets.reduce((n, rs) => n + f(rs), 0);
  const available = sum((rs) => rsStatus(rs).availableReplicas);
  const status: DeploymentStatus = {
    observedGeneration: ctx.deployment.metadata.generation ?? 1,
    replicas: sum((rs) => rsStatus(rs).replicas),
    updatedReplicas: newRs ? rsStatus(newRs).replicas : 0,
    readyReplicas: sum((rs) => rsStatus(rs).readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum(rsReplicas) - available),
    ...(old.collisionCount ? { collisionCount: old.collisionCount } : {}),
    conditions: [...(old.conditions ?? [])],
  };
  // Go's omitempty: a count of zero is absent from the JSON, as on a real cluster.
  for (const f of COUNT_FIELDS) if (!status[f]) delete status[f];
  const minAvailable = ctx.spec.replicas - fenceposts(ctx.spec).maxUnavailable;
  const cond =
    available >= minAvailable
      ? newCondition(
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
          ctx.now,
        )
      : newCondition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
          ctx.now,
        );
  setCondition(status, cond);
  return status;
}

export function newCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  const t = timestamp(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: same status and reason → no change; same status → keep the transition time. */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const list = status.conditions ?? [];
  const current = list.find((c) => c.type === cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...list.filter((c) => c.type !== cond.type), next];
}

function count(s: DeploymentStatus, f: (typeof COUNT_FIELDS)[number]): number {
  return s[f] ?? 0;
}

export function isComplete(ctx: DeploymentContext, s: DeploymentStatus): boolean {
  const r = ctx.spec.replicas;
  return (
    count(s, 'updatedReplicas') === r &&
    count(s, 'replicas') === r &&
    count(s, 'availableReplicas') === r &&
    (s.observedGeneration ?? 0) >= (ctx.deployment.metadata.generation ?? 1)
  );
}

function madeProgress(old: DeploymentStatus, s: DeploymentStatus): boolean {
  const oldOld = count(old, 'replicas') - count(old, 'updatedReplicas');
  const newOld = count(s, 'replicas') - count(s, 'updatedReplicas');
  return (
    count(s, 'updatedReplicas') > count(old, 'updatedReplicas') ||
    newOld < oldOld ||
    count(s, 'readyReplicas') > count(old, 'readyReplicas') ||
    count(s, 'availableReplicas') > count(old, 'availableReplicas')
  );
}

/** The full status of a rollout pass; returns it and when to look again for the deadline. */
export function rolloutStatus(
  ctx: DeploymentContext,
  newRs: KubeObject | undefined,
): { status: DeploymentStatus; wakeAt?: number } {
  const pending = ctx.pendingProgress;
  if (pending) {
    const base = { conditions: [...(((ctx.deployment.status ?? {}) as DeploymentStatus).conditions ?? [])] };
    setCondition(base, newCondition('Progressing', 'True', pending.reason, pending.message, ctx.now));
    ctx.deployment = {
      ...ctx.deployment,
      status: { ...(ctx.deployment.status as object), conditions: base.conditions },
    };
  }
  const old = (ctx.deployment.status ?? {}) as DeploymentStatus;
  const status = calculateStatus(ctx, newRs);
  const current = progressingCondition(ctx.deployment);
  const rsName = newRs?.metadata.name;
  const done =
    count(status, 'replicas') === count(status, 'updatedReplicas') &&
    current?.reason === 'NewReplicaSetAvailable';
  if (!done) {
    if (isComplete(ctx, status)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" has successfully progressed.`
        : 'Deployment has successfully progressed.';
      setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', msg, ctx.now));
    } else if (madeProgress(old, status)) {
      const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : 'Deployment is progressing.';
      const cond = newCondition('Progressing', 'True', 'ReplicaSetUpdated', msg, ctx.now);
      if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      // Removing first makes setCondition write it even when the reason is unchanged: progress
      // moves lastUpdateTime, which is what the progress deadline counts from.
      status.conditions = (status.conditions ?? []).filter((c) => c.type !== 'Progressing');
      setCondition(status, cond);
    } else if (timedOut(ctx, status)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" has timed out progressing.`
        : `Deployment "${ctx.deployment.metadata.name}" has timed out progressing.`;
      setCondition(status, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', msg, ctx.now));
    }
  }
  return { status, wakeAt: deadlineWake(ctx, status) };
}

function timedOut(ctx: DeploymentContext, s: DeploymentStatus): boolean {
  const c = s.conditions?.find((x) => x.type === 'Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  return Date.parse(c.lastUpdateTime) + ctx.spec.progressDeadlineSeconds * 1000 < ctx.now;
}

function deadlineWake(ctx: DeploymentContext, s: DeploymentStatus): number | undefined {
  const c = s.conditions?.find((x) => x.type === 'Progressing');
  if (!c || c.status !== 'True' || c.reason === 'NewReplicaSetAvailable' || isComplete(ctx, s))
    return undefined;
  return Date.parse(c.lastUpdateTime) + ctx.spec.progressDeadlineSeconds * 1000 + 1000;
}

/** Progressing while paused (checkPausedConditions): Unknown with DeploymentPaused / DeploymentResumed. */
export function pausedConditions(ctx: DeploymentContext): void {
  const current = progressingCondition(ctx.deployment);
  const s = { conditions: [...(((ctx.deployment.status ?? {}) as DeploymentStatus).conditions ?? [])] };
  if (ctx.spec.paused && current?.reason !== 'DeploymentPaused') {
    setCondition(
      s,
      newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', ctx.now),
    );
  } else if (!ctx.spec.paused && current?.reason === 'DeploymentPaused') {
    setCondition(
      s,
      newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', ctx.now),
    );
  } else return;
  ctx.deployment = {
    ...ctx.deployment,
    status: { ...(ctx.deployment.status as object), conditions: s.conditions },
  };
}
