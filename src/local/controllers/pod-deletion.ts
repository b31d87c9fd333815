// Deleting a pod the way the API server does: a pod that runs on a node gets a deletionTimestamp
// and a grace period, and the node (the pod runtime) stops its containers and then removes it; a
// pod that never reached a node, or has finished, is removed at once.
import type { KubeObject, ObjectStore } from '../store/types.js';
import { isApiError } from '../store/api-error.js';
import { PODS } from './kinds.js';
import { timestamp } from './object-helpers.js';
import { podPhase } from './pod-state.js';

export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;

export function deletePodGracefully(store: ObjectStore, pod: KubeObject, graceSeconds?: number): void {
  if (pod.metadata.deletionTimestamp) return;
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = podPhase(pod);
  const grace = graceSeconds ?? spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS;
  try {
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed' || grace === 0) {
      store.delete(PODS, pod.metadata.namespace, pod.metadata.name, {
        preconditions: { uid: pod.metadata.uid },
      });
      return;
    }
    const meta = {
      ...pod.metadata,
      deletionTimestamp: timestamp(Date.now() + grace * 1000),
      deletionGracePeriodSeconds: grace,
    };
    store.update(PODS, { ...pod, metadata: meta });
  } catch (err) {
    // Already gone is what we wanted.
    if (!(isApiError(err) && err.code === 404)) throw err;
  }
}
