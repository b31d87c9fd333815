// ReplicaSet → Pods: keeps `spec.replicas` active pods per ReplicaSet and reports
// replicas / readyReplicas / availableReplicas / fullyLabeledReplicas / observedGeneration
// (pkg/controller/replicaset). Pods it removes are deleted gracefully: the pod runtime stops
// their processes before they disappear.
import type { KubeObject, ObjectStore } from '../store/types.js';
import type { EventRecorder } from './event-recorder.js';
import { PODS, REPLICASETS } from './kinds.js';
import { controllerRef, matchesMap, ownerReferenceTo } from './object-helpers.js';
import { availableAt, isPodActive, isPodReady, podPhase } from './pod-state.js';
import { deletePodGracefully } from './pod-deletion.js';
import { podDefaults, type PodTemplate } from './defaults.js';
import { generatePodName } from './pod-names.js';

interface RsSpec {
  replicas?: number;
  minReadySeconds?: number;
  template?: PodTemplate;
}

export function reconcileReplicaSets(
  store: ObjectStore,
  events: EventRecorder,
  now = Date.now(),
): number | undefined {
  const podsByOwner = groupPodsByController(store.list(PODS).items);
  let wakeAt: number | undefined;
  for (const rs of store.list(REPLICASETS).items) {
    if (rs.metadata.deletionTimestamp) continue;
    const pods = podsByOwner.get(rs.metadata.uid!) ?? [];
    manageReplicas(store, events, rs, pods);
    const next = syncReplicaSetStatus(store, rs, pods, now);
    if (next !== undefined) wakeAt = Math.min(wakeAt ?? Infinity, next);
  }
  return wakeAt;
}

export function groupPodsByController(pods: KubeObject[]): Map<string, KubeObject[]> {
  const map = new Map<string, KubeObject[]>();
  for (const pod of pods) {
    const uid = controllerRef(pod)?.uid;
    if (!uid) continue;
    let list = map.get(uid);
    if (!list) map.set(uid, (list = []));
    list.push(pod);
  }
  return map;
}

function manageReplicas(store: ObjectStore, events: EventRecorder, rs: KubeObject, pods: KubeObject[]): void {
  const spec = rs.spec as RsSpec;
  const active = pods.filter(isPodActive);
  const diff = active.length - (spec.replicas ?? 1);
  for (let i = 0; i < -diff; i++) {
    const pod = store.create(PODS, podFromTemplate(rs));
    events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
  }
  if (diff > 0) {
    for (const pod of podsToDelete(active, diff)) {
      deletePodGracefully(store, pod);
      events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    }
  }
}

function podFromTemplate(rs: KubeObject): KubeObject {
  const template = (rs.spec as RsSpec).template ?? {};
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: generatePodName(rs.metadata.name),
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: { ...meta.labels },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [ownerReferenceTo(rs)],
    },
    spec: podDefaults(template.spec ?? { containers: [] }),
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

// The ranking of controller.ActivePodsWithRanks: delete the least useful pods first —
// unscheduled before scheduled, pending before running, not ready before ready, ready for a
// shorter time, more restarts, newer.
function podsToDelete(active: KubeObject[], count: number): KubeObject[] {
  const phaseRank = (p: KubeObject) =>
    ({ Pending: 0, Unknown: 1, Running: 2 })[podPhase(p) ?? 'Pending'] ?? 0;
  const scheduled = (p: KubeObject) => ((p.spec as { nodeName?: string }).nodeName ? 1 : 0);
  const readySince = (p: KubeObject) => availableAt(p, 1e9) ?? Infinity;
  const restarts = (p: KubeObject) =>
    ((p.status as { containerStatuses?: Array<{ restartCount?: number }> })?.containerStatuses ?? []).reduce(
      (n, c) => n + (c.restartCount ?? 0),
      0,
    );
  const created = (p: KubeObject) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  const sorted = [...active].sort(
    (a, b) =>
      scheduled(a) - scheduled(b) ||
      phaseRank(a) - phaseRank(b) ||
      Number(isPodReady(a)) - Number(isPodReady(b)) ||
      readySince(b) - readySince(a) ||
      restarts(b) - restarts(a) ||
      created(b) - created(a),
  );
  return sorted.slice(0, count);
}

function syncReplicaSetStatus(
  store: ObjectStore,
  rs: KubeObject,
  pods: KubeObject[],
  now: number,
): number | undefined {
  const spec = rs.spec as RsSpec;
  const active = pods.filter(isPodActive);
  const templateLabels = spec.template?.metadata?.labels ?? {};
  let available = 0;
  let wakeAt: number | undefined;
  for (const pod of active) {
    const at = availableAt(pod, spec.minReadySeconds ?? 0);
    if (at === undefined) continue;
    if (at <= now) available++;
    else wakeAt = Math.min(wakeAt ?? Infinity, at);
  }
  const old = (rs.status ?? {}) as Record<string, unknown>;
  const status: Record<string, unknown> = {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => matchesMap(p.metadata.labels, templateLabels)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1,
    ...(old.conditions ? { conditions: old.conditions } : {}),
  };
  // Go's omitempty: zero counts are absent, except replicas, which the API always carries.
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'])
    if (!status[f]) delete status[f];
  store.update(REPLICASETS, { ...rs, status }, { subresource: 'status' });
  return wakeAt;
}
