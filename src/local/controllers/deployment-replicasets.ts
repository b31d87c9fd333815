// The ReplicaSets of a Deployment: finding the new one (same pod template), creating it with
// the next revision, scaling with the bookkeeping annotations, and trimming old revisions
// (pkg/controller/deployment/sync.go).
import type { KubeObject, ObjectStore } from '../store/types.js';
import { isApiError } from '../store/api-error.js';
import type { EventRecorder } from './event-recorder.js';
import { DEPLOYMENTS, REPLICASETS } from './kinds.js';
import { clone, intOrPercent, ownerReferenceTo } from './object-helpers.js';
import { computePodTemplateHash, POD_TEMPLATE_HASH_LABEL, templatesEqual } from './pod-template-hash.js';
import type { DeploymentSpec } from './defaults.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

// Annotations a Deployment never hands down to its ReplicaSets (deployment/util.skipCopyAnnotation).
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

export interface DeploymentContext {
  store: ObjectStore;
  events: EventRecorder;
  deployment: KubeObject;
  spec: DeploymentSpec;
  /** ReplicaSets this Deployment controls, oldest first. */
  replicaSets: KubeObject[];
  /** Pods of each of those ReplicaSets, by ReplicaSet uid. */
  podsByRs: Map<string, KubeObject[]>;
  /** Conditions decided during this pass (NewReplicaSetCreated, FoundNewReplicaSet). */
  pendingProgress?: { reason: string; message: string };
  now: number;
}

export function revisionOf(obj: KubeObject): number {
  return Number(obj.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
}

export function rsReplicas(rs: KubeObject): number {
  return (rs.spec as { replicas?: number }).replicas ?? 0;
}

export function rsStatus(rs: KubeObject): {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
} {
  const s = (rs.status ?? {}) as Record<string, number | undefined>;
  return {
    replicas: s.replicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
  };
}

export function findNewReplicaSet(ctx: DeploymentContext): KubeObject | undefined {
  // The oldest matching one wins, as in Kubernetes (FindNewReplicaSet sorts by creation).
  return ctx.replicaSets.find((rs) =>
    templatesEqual((rs.spec as { template?: unknown }).template, ctx.spec.template),
  );
}

export function maxSurgeOf(spec: DeploymentSpec): number {
  return maxReplicasAnnotation(spec) - spec.replicas;
}

function maxReplicasAnnotation(spec: DeploymentSpec): number {
  if (spec.strategy.type !== 'RollingUpdate') return spec.replicas;
  return spec.replicas + intOrPercent(spec.strategy.rollingUpdate?.maxSurge, spec.replicas, true, '25%');
}

function replicaAnnotations(spec: DeploymentSpec): Record<string, string> {
  return {
    [DESIRED_REPLICAS_ANNOTATION]: String(spec.replicas),
    [MAX_REPLICAS_ANNOTATION]: String(maxReplicasAnnotation(spec)),
  };
}

/** Keeps the found new ReplicaSet's revision the highest, and the Deployment's annotation equal to it. */
export function syncNewReplicaSetRevision(ctx: DeploymentContext, rs: KubeObject): KubeObject {
  const maxOld = Math.max(0, ...ctx.replicaSets.filter((r) => r !== rs).map(revisionOf));
  let current = rs;
  const spec = rs.spec as { minReadySeconds?: number };
  if (revisionOf(rs) <= maxOld || (spec.minReadySeconds ?? 0) !== ctx.spec.minReadySeconds) {
    const updated = clone(rs);
    updated.metadata.annotations = {
      ...updated.metadata.annotations,
      [REVISION_ANNOTATION]: String(Math.max(revisionOf(rs), maxOld + 1)),
    };
    (updated.spec as { minReadySeconds?: number }).minReadySeconds = ctx.spec.minReadySeconds;
    current = ctx.store.update(REPLICASETS, updated);
    replaceRs(ctx, rs, current);
  }
  setDeploymentRevision(ctx, revisionOf(current));
  if (!progressingCondition(ctx.deployment)) {
    ctx.pendingProgress = {
      reason: 'FoundNewReplicaSet',
      message: `Found new replica set "${current.metadata.name}"`,
    };
  }
  return current;
}

/** The ReplicaSet a Deployment's current template needs: name and labels from the hash, the next revision. */
function newReplicaSetObject(ctx: DeploymentContext, hash: string, replicas: number): KubeObject {
  const d = ctx.deployment;
  const template = clone(ctx.spec.template);
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
  };
  const revision = Math.max(0, ...ctx.replicaSets.map(revisionOf)) + 1;
  const copied = Object.fromEntries(
    Object.entries(d.metadata.annotations ?? {}).filter(([k]) => !NOT_COPIED.has(k)),
  );
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      annotations: { ...copied, ...replicaAnnotations(ctx.spec), [REVISION_ANNOTATION]: String(revision) },
      ownerReferences: [ownerReferenceTo(d)],
    },
    spec: {
      replicas,
      minReadySeconds: ctx.spec.minReadySeconds,
      selector: {
        ...ctx.spec.selector,
        matchLabels: { ...ctx.spec.selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash },
      },
      template,
    },
  };
}

export function createNewReplicaSet(ctx: DeploymentContext, replicas: number): KubeObject | undefined {
  const d = ctx.deployment;
  const collisionCount = (d.status as { collisionCount?: number } | undefined)?.collisionCount ?? 0;
  const hash = computePodTemplateHash(ctx.spec.template, collisionCount);
  let created: KubeObject;
  try {
    created = ctx.store.create(REPLICASETS, newReplicaSetObject(ctx, hash, replicas));
  } catch (err) {
    if (!(isApiError(err) && err.code === 409)) throw err;
    // A ReplicaSet of another template holds the name: count the collision, the next hash differs.
    bumpCollisionCount(ctx, collisionCount + 1);
    return undefined;
  }
  ctx.replicaSets.push(created);
  ctx.podsByRs.set(created.metadata.uid!, []);
  if (replicas > 0) {
    ctx.events.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`,
    );
  }
  setDeploymentRevision(ctx, revisionOf(created));
  ctx.pendingProgress = {
    reason: 'NewReplicaSetCreated',
    message: `Created new replica set "${created.metadata.name}"`,
  };
  return created;
}

function bumpCollisionCount(ctx: DeploymentContext, count: number): void {
  const d = ctx.deployment;
  ctx.deployment = ctx.store.update(
    DEPLOYMENTS,
    { ...d, status: { ...(d.status as object), collisionCount: count } },
    { subresource: 'status' },
  );
}

function setDeploymentRevision(ctx: DeploymentContext, revision: number): void {
  const d = ctx.deployment;
  if (revisionOf(d) === revision) return;
  const updated = clone(d);
  updated.metadata.annotations = { ...updated.metadata.annotations, [REVISION_ANNOTATION]: String(revision) };
  ctx.deployment = ctx.store.update(DEPLOYMENTS, updated);
}

export function progressingCondition(d: KubeObject): DeploymentCondition | undefined {
  return ((d.status as { conditions?: DeploymentCondition[] } | undefined)?.conditions ?? []).find(
    (c) => c.type === 'Progressing',
  );
}

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

/** Sets spec.replicas of a ReplicaSet and its bookkeeping annotations; records the scaling event. */
export function scaleReplicaSet(ctx: DeploymentContext, rs: KubeObject, replicas: number): KubeObject {
  const from = rsReplicas(rs);
  const annotations = { ...rs.metadata.annotations, ...replicaAnnotations(ctx.spec) };
  const sameAnnotations = Object.entries(replicaAnnotations(ctx.spec)).every(
    ([k, v]) => rs.metadata.annotations?.[k] === v,
  );
  if (from === replicas && sameAnnotations) return rs;
  const updated = ctx.store.update(REPLICASETS, {
    ...rs,
    metadata: { ...rs.metadata, annotations },
    spec: { ...(rs.spec as object), replicas },
  });
  replaceRs(ctx, rs, updated);
  if (from !== replicas) {
    const verb = replicas > from ? 'up' : 'down';
    ctx.events.record(
      ctx.deployment,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${verb} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
    );
  }
  return updated;
}

function replaceRs(ctx: DeploymentContext, old: KubeObject, updated: KubeObject): void {
  const i = ctx.replicaSets.findIndex((r) => r.metadata.uid === old.metadata.uid);
  if (i >= 0) ctx.replicaSets[i] = updated;
}

/** Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
export function cleanupOldReplicaSets(ctx: DeploymentContext, newRs: KubeObject | undefined): void {
  const idle = ctx.replicaSets
    .filter(
      (rs) =>
        rs !== newRs && rsReplicas(rs) === 0 && rsStatus(rs).replicas === 0 && !rs.metadata.deletionTimestamp,
    )
    .filter((rs) => (ctx.podsByRs.get(rs.metadata.uid!) ?? []).length === 0)
    .sort((a, b) => revisionOf(a) - revisionOf(b));
  const excess = idle.length - ctx.spec.revisionHistoryLimit;
  for (const rs of idle.slice(0, Math.max(0, excess))) {
    try {
      ctx.store.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name, {
        preconditions: { uid: rs.metadata.uid },
      });
    } catch (err) {
      if (!(isApiError(err) && err.code === 404)) throw err;
    }
    ctx.replicaSets = ctx.replicaSets.filter((r) => r !== rs);
  }
}
