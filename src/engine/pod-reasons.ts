// Why a color's pods are not ready, in the words the kubelet used: the waiting or terminated
// reason and message of each container, or the failing condition. `cutover status` and the
// dashboard show these for a color that is not all ready.
import type { KubeClient, KubeObject } from '../kube/types.js';

export interface PodReason {
  pod: string;
  container?: string;
  reason: string;
  message?: string;
}

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

/** The pods of a Deployment (by its selector), and why those not ready are not. */
export async function notReadyReasons(kube: KubeClient, dep: KubeObject): Promise<PodReason[]> {
  const match =
    (dep.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector
      ?.matchLabels ?? {};
  const selector = Object.entries(match)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!selector) return [];
  return podReasons(
    (await kube.list('v1', 'Pod', dep.metadata.namespace, { labelSelector: selector })).items,
  );
}
