// The status the kubelet reports for a pod, computed from its container runners: phase,
// conditions (PodScheduled, Initialized, ContainersReady, Ready), addresses, container statuses.
import type { ContainerRunner } from './container-runner.js';
import { timestamp } from '../controllers/object-helpers.js';
import { HOST_IP } from './node.js';

export interface PodCondition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

export interface PodView {
  podIP: string;
  startTime: string;
  initRunners: ContainerRunner[];
  runners: ContainerRunner[];
  initialized: boolean;
  terminating: boolean;
  restartPolicy: string;
}

export function containerStatus(r: ContainerRunner): Record<string, unknown> {
  return {
    name: r.name,
    state: r.state,
    lastState: r.lastState,
    ready: r.ready,
    restartCount: r.restartCount,
    image: r.spec.image,
    imageID: r.imageID,
    ...(r.containerID ? { containerID: r.containerID } : {}),
    started: r.started,
  };
}

/** Pending until every container ran once; Succeeded/Failed when none will run again; else Running. */
export function podPhase(v: PodView): string {
  if (v.initRunners.some((r) => r.finished && r.lastExitCode !== 0)) return 'Failed';
  if (v.runners.length > 0 && v.runners.every((r) => r.finished && r.lastExitCode !== undefined)) {
    return v.runners.every((r) => r.lastExitCode === 0) ? 'Succeeded' : 'Failed';
  }
  if (!v.initialized || v.runners.some((r) => !r.everStarted)) return 'Pending';
  return 'Running';
}

function names(list: ContainerRunner[]): string {
  return `[${list.map((r) => r.name).join(' ')}]`;
}

export function desiredConditions(
  v: PodView,
  phase: string,
): Array<Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>> {
  const unready = v.runners.filter((r) => !r.ready);
  const containersReady = unready.length === 0 && !v.terminating;
  const notReady =
    phase === 'Succeeded' || phase === 'Failed'
      ? { reason: 'PodCompleted' }
      : {
          reason: 'ContainersNotReady',
          message: `containers with unready status: ${names(unready.length ? unready : v.runners)}`,
        };
  const incomplete = v.initRunners.filter((r) => !(r.finished && r.lastExitCode === 0));
  return [
    v.initialized
      ? { type: 'Initialized', status: 'True' }
      : {
          type: 'Initialized',
          status: 'False',
          reason: 'ContainersNotInitialized',
          message: `containers with incomplete status: ${names(incomplete)}`,
        },
    containersReady ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', ...notReady },
    containersReady
      ? { type: 'ContainersReady', status: 'True' }
      : { type: 'ContainersReady', status: 'False', ...notReady },
    { type: 'PodScheduled', status: 'True' },
  ] as Array<Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>>;
}

/** Keeps each condition's lastTransitionTime unless its status flips. */
export function withTransitions(
  wanted: Array<Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>>,
  previous: PodCondition[] | undefined,
): PodCondition[] {
  const now = timestamp();
  return wanted.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    return {
      ...c,
      lastProbeTime: null,
      lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now,
    };
  });
}

export function podStatus(
  v: PodView,
  previous: { conditions?: PodCondition[] } | undefined,
): Record<string, unknown> {
  const phase = podPhase(v);
  return {
    phase,
    conditions: withTransitions(desiredConditions(v, phase), previous?.conditions),
    hostIP: HOST_IP,
    hostIPs: [{ ip: HOST_IP }],
    podIP: v.podIP,
    podIPs: [{ ip: v.podIP }],
    startTime: v.startTime,
    ...(v.initRunners.length ? { initContainerStatuses: v.initRunners.map(containerStatus) } : {}),
    containerStatuses: v.runners.map(containerStatus),
    qosClass: 'BestEffort',
  };
}
