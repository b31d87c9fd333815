// One pod on the node, from scheduling to removal: binds it to the node, gives it an address,
// runs its init containers one after the other and then its containers side by side, writes its
// status whenever something changes, and on deletion stops it gracefully:
//   1. every container is marked not ready at once (the pod leaves its Services' endpoints),
//   2. we wait (briefly) until no Endpoints list it as ready any more,
//   3. preStop hooks, SIGTERM, and SIGKILL when the grace period is over,
//   4. the pod object is removed from the store.
import type { KubeObject } from '../store/types.js';
import { isApiError } from '../store/api-error.js';
import { ENDPOINTS, PODS } from '../controllers/kinds.js';
import { timestamp } from '../controllers/object-helpers.js';
import { ContainerRunner } from './container-runner.js';
import type { ContainerSpec, PodHandle, RuntimeDeps } from './container-types.js';
import { podStatus, type PodCondition, type PodView } from './pod-status.js';
import { NODE_NAME } from './node.js';
import { removePodLogs } from './log-files.js';

export interface WorkerDeps extends RuntimeDeps {
  schedulerEvents: RuntimeDeps['events'];
  /** Longest wait for the endpoints to drop a terminating pod before SIGTERM. */
  endpointsDrainMs: number;
  releaseIp(ip: string): void;
}

interface RestoredContainer {
  restartCount: number;
  wasRunning: boolean;
  lastState?: unknown;
}

export class PodWorker implements PodHandle {
  private current: KubeObject;
  readonly uid: string;
  readonly initRunners: ContainerRunner[];
  readonly runners: ContainerRunner[];
  private initialized = false;
  private terminating: Promise<void> | undefined;
  private writeScheduled = false;
  private gone = false;
  private startTime = timestamp();

  constructor(
    pod: KubeObject,
    readonly podIP: string,
    private readonly deps: WorkerDeps,
  ) {
    this.current = pod;
    this.uid = pod.metadata.uid!;
    const spec = pod.spec as { containers?: ContainerSpec[]; initContainers?: ContainerSpec[] };
    const restored = restoredContainers(pod);
    const make = (c: ContainerSpec, init: boolean) => {
      const r = new ContainerRunner(c, this, deps, restored.get(c.name)?.restartCount ?? 0, init);
      const old = restored.get(c.name);
      if (old?.lastState) r.lastState = old.lastState as ContainerRunner['lastState'];
      return r;
    };
    this.initRunners = (spec.initContainers ?? []).map((c) => make(c, true));
    this.runners = (spec.containers ?? []).map((c) => make(c, false));
    const status = pod.status as { startTime?: string } | undefined;
    if (status?.startTime) this.startTime = status.startTime;
  }

  pod(): KubeObject {
    return this.current;
  }

  update(pod: KubeObject): void {
    this.current = pod;
    if (pod.metadata.deletionTimestamp) void this.terminate();
  }

  get isTerminating(): boolean {
    return this.terminating !== undefined;
  }

  /** Binds, then runs the pod until its containers are finished. */
  async start(): Promise<void> {
    this.bind();
    this.writeStatus();
    for (const r of this.initRunners) {
      await r.run();
      if (r.lastExitCode !== 0 || this.terminating) {
        this.changed();
        return;
      }
    }
    this.initialized = true;
    this.changed();
    await Promise.all(this.runners.map((r) => r.run()));
    this.changed();
  }

  private bind(): void {
    if ((this.current.spec as { nodeName?: string }).nodeName) return;
    // Read and write in one tick: nothing else can write the pod in between.
    const latest = this.deps.store.get(PODS, this.current.metadata.namespace, this.current.metadata.name);
    if (!latest || latest.metadata.uid !== this.uid) return;
    const spec = latest.spec as { nodeName?: string };
    const bound = this.deps.store.update(PODS, { ...latest, spec: { ...spec, nodeName: NODE_NAME } });
    this.current = bound;
    const { namespace, name } = bound.metadata;
    this.deps.schedulerEvents.record(
      bound,
      'Normal',
      'Scheduled',
      `Successfully assigned ${namespace}/${name} to ${NODE_NAME}`,
    );
  }

  changed(): void {
    if (this.writeScheduled || this.gone || this.deps.quiet()) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      this.writeStatus();
    });
  }

  private view(): PodView {
    const restartPolicy = (this.current.spec as { restartPolicy?: string }).restartPolicy ?? 'Always';
    const initialized = this.initialized || this.initRunners.length === 0;
    return {
      podIP: this.podIP,
      startTime: this.startTime,
      initRunners: this.initRunners,
      runners: this.runners,
      initialized,
      terminating: this.isTerminating,
      restartPolicy,
    };
  }

  /** Writes the status now (not inside a watch callback: callers are timers, promises or the runtime). */
  writeStatus(): void {
    if (this.gone || this.deps.quiet()) return;
    const { namespace, name } = this.current.metadata;
    const latest = this.deps.store.get(PODS, namespace, name);
    if (!latest || latest.metadata.uid !== this.uid) return;
    const previous = latest.status as { conditions?: PodCondition[] } | undefined;
    try {
      this.current = this.deps.store.update(
        PODS,
        { ...latest, status: podStatus(this.view(), previous) },
        { subresource: 'status' },
      );
    } catch (err) {
      if (!isApiError(err)) throw err;
      if (err.code === 409) this.changed();
      else if (err.code !== 404)
        this.deps.log(`pod ${namespace}/${name}: status update failed: ${err.message}`);
    }
  }

  /** Graceful deletion, in the order described at the top of this file. */
  terminate(): Promise<void> {
    this.terminating ??= this.runTermination();
    return this.terminating;
  }

  private async runTermination(): Promise<void> {
    const meta = this.current.metadata;
    const spec = this.current.spec as { terminationGracePeriodSeconds?: number };
    const graceSeconds = meta.deletionGracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    for (const r of [...this.initRunners, ...this.runners]) r.ready = false;
    this.writeStatus();
    await this.waitUntilOutOfEndpoints(Math.min(this.deps.endpointsDrainMs, graceSeconds * 1000));
    const deadline = Date.now() + graceSeconds * 1000;
    await Promise.all(
      [...this.initRunners, ...this.runners].map((r) => r.stop(deadline, { events: true, preStop: true })),
    );
    this.writeStatus();
    this.remove();
  }

  private listedAsReady(): boolean {
    const endpoints = this.deps.store.list(ENDPOINTS, this.current.metadata.namespace).items;
    type Subset = { addresses?: Array<{ targetRef?: { uid?: string } }> };
    return endpoints.some((e) =>
      ((e.subsets ?? []) as Subset[]).some((s) =>
        (s.addresses ?? []).some((a) => a.targetRef?.uid === this.uid),
      ),
    );
  }

  private waitUntilOutOfEndpoints(maxMs: number): Promise<void> {
    if (maxMs <= 0 || !this.listedAsReady()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopWatch();
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      const stopWatch = this.deps.store.watch(
        ENDPOINTS,
        () => setImmediate(() => !this.listedAsReady() && done()),
        { namespace: this.current.metadata.namespace },
      );
    });
  }

  private remove(): void {
    if (this.gone) return;
    this.gone = true;
    const { namespace, name } = this.current.metadata;
    try {
      this.deps.store.delete(PODS, namespace, name, { preconditions: { uid: this.uid } });
    } catch (err) {
      if (!(isApiError(err) && (err.code === 404 || err.code === 409))) throw err;
    }
    this.cleanup();
  }

  private cleanup(): void {
    this.deps.releaseIp(this.podIP);
    removePodLogs(this.deps.stateDir, this.current);
  }

  /** The pod object is gone (force deletion): stop at once, nothing left to report to. */
  async kill(): Promise<void> {
    this.gone = true;
    await Promise.all(
      [...this.initRunners, ...this.runners].map((r) =>
        r.stop(Date.now(), { events: false, preStop: false }),
      ),
    );
    this.cleanup();
  }

  /** The runtime stops (the node goes down): stop processes, leave the pod in the store as it is. */
  async shutdown(graceMs: number): Promise<void> {
    this.gone = true;
    const deadline = Date.now() + graceMs;
    await Promise.all(
      [...this.initRunners, ...this.runners].map((r) => r.stop(deadline, { events: false, preStop: false })),
    );
    this.deps.releaseIp(this.podIP);
  }
}

/**
 * Containers of a pod that the store says were running when the node went down: they start
 * again with restartCount + 1, as after a node reboot.
 */
function restoredContainers(pod: KubeObject): Map<string, RestoredContainer> {
  const map = new Map<string, RestoredContainer>();
  const status = pod.status as
    { initContainerStatuses?: unknown[]; containerStatuses?: unknown[] } | undefined;
  type Cs = {
    name: string;
    restartCount?: number;
    state?: { running?: { startedAt?: string }; terminated?: unknown };
  };
  for (const cs of [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])] as Cs[]) {
    const ran = Boolean(cs.state?.running || cs.state?.terminated);
    const lastState = cs.state?.running
      ? {
          terminated: {
            exitCode: 255,
            reason: 'Unknown',
            startedAt: cs.state.running.startedAt,
            finishedAt: timestamp(),
          },
        }
      : cs.state?.terminated
        ? { terminated: cs.state.terminated }
        : undefined;
    map.set(cs.name, {
      restartCount: (cs.restartCount ?? 0) + (ran ? 1 : 0),
      wasRunning: Boolean(cs.state?.running),
      lastState,
    });
  }
  return map;
}
