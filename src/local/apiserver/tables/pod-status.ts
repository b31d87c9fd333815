// A pod's READY, STATUS and RESTARTS cells, computed as kubectl's printPod does
// (k8s.io/kubernetes/pkg/printers/internalversion/printers.go): init containers first, then
// containers from last to first, a waiting or terminated reason winning over the phase, and
// Terminating for a pod being deleted.
import { humanDuration } from './age.js';
import { int, list, record, str, type Json } from './format.js';

export interface PodCells {
  ready: string;
  status: string;
  restarts: number | string;
}

export function podCells(pod: Json, now: Date): PodCells {
  const spec = record(pod.spec);
  const status = record(pod.status);
  const meta = record(pod.metadata);
  let reason = str(status.reason, str(status.phase));
  let restarts = 0;
  let lastRestart = 0;
  const track = (c: Json) => {
    restarts += int(c.restartCount);
    const finished = Date.parse(str(record(record(c.lastState).terminated).finishedAt));
    if (!Number.isNaN(finished) && finished > lastRestart) lastRestart = finished;
  };
  const init = initReason(
    list(status.initContainerStatuses).map(record),
    list(spec.initContainers).length,
    track,
  );
  let readyContainers = 0;
  if (init === undefined || podConditionTrue(status, 'Initialized')) {
    let hasRunning = false;
    const statuses = list(status.containerStatuses).map(record);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      track(c);
      const state = record(c.state);
      const waiting = record(state.waiting);
      const terminated = isSet(state.terminated) ? record(state.terminated) : undefined;
      if (str(waiting.reason)) reason = str(waiting.reason);
      else if (terminated && str(terminated.reason)) reason = str(terminated.reason);
      else if (terminated)
        reason =
          int(terminated.signal) !== 0
            ? `Signal:${int(terminated.signal)}`
            : `ExitCode:${int(terminated.exitCode)}`;
      else if (c.ready === true && isSet(state.running)) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning)
      reason = podConditionTrue(status, 'Ready') ? 'Running' : 'NotReady';
  } else {
    reason = init;
  }
  if (meta.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (meta.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed')
    reason = 'Terminating';
  const ready = `${readyContainers}/${list(spec.containers).length}`;
  return {
    ready,
    status: reason,
    restarts: lastRestart > 0 ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)` : restarts,
  };
}

/** The STATUS an unfinished init container imposes (`Init:0/1`, `Init:CrashLoopBackOff`…), or undefined once init is done. */
function initReason(statuses: Json[], total: number, track: (c: Json) => void): string | undefined {
  for (let i = 0; i < statuses.length; i++) {
    const c = statuses[i]!;
    track(c);
    const state = record(c.state);
    const terminated = isSet(state.terminated) ? record(state.terminated) : undefined;
    const waiting = record(state.waiting);
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (terminated) {
      if (str(terminated.reason)) return `Init:${str(terminated.reason)}`;
      return int(terminated.signal) !== 0
        ? `Init:Signal:${int(terminated.signal)}`
        : `Init:ExitCode:${int(terminated.exitCode)}`;
    }
    if (str(waiting.reason) && waiting.reason !== 'PodInitializing') return `Init:${str(waiting.reason)}`;
    return `Init:${i}/${total}`;
  }
  return undefined;
}

function podConditionTrue(status: Json, type: string): boolean {
  return list(status.conditions).some((c) => record(c).type === type && record(c).status === 'True');
}

function isSet(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

/** The wide READINESS GATES cell: `<none>`, or `satisfied/total`. */
export function readinessGates(pod: Json): string {
  const gates = list(record(pod.spec).readinessGates).map((g) => str(record(g).conditionType));
  if (gates.length === 0) return '<none>';
  const satisfied = gates.filter((g) => podConditionTrue(record(pod.status), g)).length;
  return `${satisfied}/${gates.length}`;
}
