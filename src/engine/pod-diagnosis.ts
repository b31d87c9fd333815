// Why the pods of a rollout are not ready, read the way `kubectl describe pod` reads them: the
// containers' waiting/terminated states and the kubelet's events. Pure functions over what the
// API returned, so the rules are tested without a cluster. A problem is "certain" (the rollout
// cannot succeed by waiting) once it repeated `limit` times: an image that failed to pull that
// often, a container that crashed that often, a missing Secret/ConfigMap (key) retried that often.
// A failing readiness probe is never certain — the app may still become ready — so it is shown,
// and named in the timeout message, but does not end the wait early.
import type { KubeObject } from '../kube/types.js';

export type ProblemKind = 'image' | 'crash' | 'config' | 'probe';

export interface PodProblem {
  pod: string;
  container: string;
  kind: ProblemKind;
  /** The kubelet's reason: ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError, Unhealthy… */
  reason: string;
  /** The kubelet's message (the pull error, the missing key, the probe's answer, the exit code). */
  message: string;
  /** How often it happened so far. */
  failures: number;
  /** Repeated `limit` times: waiting longer will not help. */
  certain: boolean;
  image?: string;
}

interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: unknown;
    terminated?: { exitCode?: number; reason?: string; message?: string };
  };
  lastState?: { terminated?: { exitCode?: number; reason?: string; message?: string } };
}

interface EventLike {
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { uid?: string; name?: string; fieldPath?: string };
}

const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError']);
const CRASH_REASONS = new Set(['CrashLoopBackOff', 'RunContainerError', 'StartError']);

function containerStatuses(pod: KubeObject): ContainerStatus[] {
  const status = pod.status as
    { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] } | undefined;
  return [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
}

/** Events about this container of this pod (fieldPath spec.containers{name}), or about the pod. */
function eventsOf(events: EventLike[], pod: KubeObject, container: string): EventLike[] {
  return events.filter((e) => {
    const o = e.involvedObject;
    if (!o || (o.uid ? o.uid !== pod.metadata.uid : o.name !== pod.metadata.name)) return false;
    return !o.fieldPath || o.fieldPath.endsWith(`{${container}}`);
  });
}

function countOf(events: EventLike[], match: (e: EventLike) => boolean): number {
  return events.filter(match).reduce((n, e) => n + (e.count ?? 1), 0);
}

function imageProblem(pod: KubeObject, c: ContainerStatus, events: EventLike[], limit: number): PodProblem {
  const waiting = c.state!.waiting!;
  const pulls = countOf(
    events,
    (e) => e.reason === 'Failed' && /^Failed to pull image/.test(e.message ?? ''),
  );
  const pullMessage = events.findLast((e) => /^Failed to pull image/.test(e.message ?? ''))?.message;
  // An invalid name never becomes valid; a pull error is certain once repeated.
  const failures = Math.max(1, pulls);
  return {
    pod: pod.metadata.name,
    container: c.name,
    kind: 'image',
    reason: waiting.reason!,
    message: pullMessage ?? waiting.message ?? waiting.reason!,
    failures,
    certain: waiting.reason === 'InvalidImageName' || failures >= limit,
    image: c.image,
  };
}

function configProblem(pod: KubeObject, c: ContainerStatus, events: EventLike[], limit: number): PodProblem {
  const waiting = c.state!.waiting!;
  const tries = countOf(events, (e) => e.reason === 'Failed' && e.message === `Error: ${waiting.message}`);
  return {
    pod: pod.metadata.name,
    container: c.name,
    kind: 'config',
    reason: waiting.reason!,
    message: waiting.message ?? waiting.reason!,
    failures: Math.max(1, tries),
    certain: Math.max(1, tries) >= limit,
  };
}

function crashProblem(pod: KubeObject, c: ContainerStatus, limit: number): PodProblem | undefined {
  const waiting = c.state?.waiting;
  const terminated = c.state?.terminated;
  const last = terminated ?? c.lastState?.terminated;
  const crashing =
    (waiting?.reason && CRASH_REASONS.has(waiting.reason)) || (terminated && terminated.exitCode !== 0);
  if (!crashing || !last) return undefined;
  // restartCount counts restarts done; the run that just failed is one more.
  const failures = (c.restartCount ?? 0) + 1;
  const exit = `exited with code ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}`;
  return {
    pod: pod.metadata.name,
    container: c.name,
    kind: 'crash',
    reason: waiting?.reason ?? last.reason ?? 'Error',
    message: last.message ? `${exit}: ${last.message}` : exit,
    failures,
    certain: failures >= limit,
  };
}

function probeProblem(pod: KubeObject, c: ContainerStatus, events: EventLike[]): PodProblem | undefined {
  if (c.ready || !c.state?.running) return undefined;
  const unhealthy = events.filter(
    (e) => e.reason === 'Unhealthy' && /^Readiness probe/.test(e.message ?? ''),
  );
  if (!unhealthy.length) return undefined;
  return {
    pod: pod.metadata.name,
    container: c.name,
    kind: 'probe',
    reason: 'Unhealthy',
    message: unhealthy.at(-1)!.message!,
    failures: countOf(unhealthy, () => true),
    certain: false,
  };
}

/** Every problem of these pods, certain ones first. `limit` < 1 means nothing is ever certain. */
export function diagnosePods(pods: KubeObject[], events: EventLike[], limit: number): PodProblem[] {
  const found: PodProblem[] = [];
  const cap = limit >= 1 ? limit : Number.POSITIVE_INFINITY;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    for (const c of containerStatuses(pod)) {
      const mine = eventsOf(events, pod, c.name);
      const reason = c.state?.waiting?.reason ?? '';
      const problem = IMAGE_REASONS.has(reason)
        ? imageProblem(pod, c, mine, cap)
        : CONFIG_REASONS.has(reason)
          ? configProblem(pod, c, mine, cap)
          : (crashProblem(pod, c, cap) ?? probeProblem(pod, c, mine));
      if (problem) found.push(problem);
    }
  }
  return found.sort((a, b) => Number(b.certain) - Number(a.certain));
}

/** One line for the log: `pod myapp-green-7c9d-x2 container app: ImagePullBackOff (2×) — …`. */
export function describeProblem(p: PodProblem): string {
  const times = p.failures > 1 ? ` (${p.failures}×)` : '';
  return `pod ${p.pod} container ${p.container}: ${p.reason}${times} — ${p.message}`;
}

/** Whether any container of the pods is still to become ready and may say why (events help). */
export function needsEvents(pods: KubeObject[]): boolean {
  return pods.some((pod) => containerStatuses(pod).some((c) => !c.ready));
}

/** What to do about a problem: the fix, in the words of the tool the user has at hand. */
export function remedyFor(p: PodProblem, color: string): string {
  const untouched = 'then deploy again; live traffic was not touched';
  switch (p.kind) {
    case 'image':
      if (p.message.includes('cutover local image add'))
        return `on the local cluster, map the image to a command: \`cutover local image add ${p.image ?? 'IMAGE'} --dir DIR -- COMMAND\`, ${untouched}`;
      return `check that ${p.image ?? 'the image'} exists (name and tag) and that the cluster may pull it — a private registry needs a pull Secret (imagePullSecrets in cutover.yaml); ${untouched}`;
    case 'config': {
      const key = /couldn't find key (\S+) in (Secret|ConfigMap) (\S+)/.exec(p.message);
      if (key)
        return `add the key ${key[1]} to ${key[2]} ${key[3]} (for the color's settings: \`cutover secrets sync --color ${color}\`), ${untouched}`;
      return `create it (for the color's settings: \`cutover secrets sync --color ${color}\`), ${untouched}`;
    }
    case 'crash':
      return `the container exits soon after it starts: its last log lines are above (\`kubectl logs ${p.pod} -c ${p.container} --previous\`); fix the app or its settings, ${untouched}`;
    case 'probe':
      return `the readiness probe never passed: check its path and port against what the app serves, or why the app answers it with a failure; ${untouched}`;
  }
}
