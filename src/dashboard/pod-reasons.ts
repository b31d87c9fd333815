// Why a color's pods are not ready, in the words the kubelet used: the waiting or terminated
// reason and message of each container, or the failing condition.
import type { KubeObject } from '../kube/types.js';

import type { PodReason } from './wire.js';

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; message?: string; exitCode?: number };
  };
}

/** One line per container that is not ready; a pod without container statuses says its phase. */
export function podReasons(pods: KubeObject[]): PodReason[] {
  const out: PodReason[] = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const status = (pod.status ?? {}) as {
      phase?: string;
      containerStatuses?: ContainerStatus[];
      conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    };
    const containers = status.containerStatuses ?? [];
    for (const c of containers) {
      if (c.ready) continue;
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      const reason =
        waiting?.reason ??
        terminated?.reason ??
        (c.restartCount ? `restarted ${c.restartCount} times` : 'readiness probe not passing yet');
      out.push({
        pod: pod.metadata.name,
        container: c.name,
        reason,
        message: waiting?.message ?? terminated?.message,
      });
    }
    if (containers.length === 0) {
      const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      out.push({
        pod: pod.metadata.name,
        reason: scheduled?.reason ?? status.phase ?? 'Pending',
        message: scheduled?.message,
      });
    }
  }
  return out;
}
