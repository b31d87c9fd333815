// Waits until every replica of a color's Deployment runs the current spec and is available,
// and no pod of an older spec is left — and says at once when that cannot happen.
//
// Three things run side by side until one decides:
// - the Deployment's watch (the answer the moment the controller reports it). A watch that fails
//   or goes silent for SILENT_MS is not trusted: the Deployment is read again on every tick, so a
//   hung stream delays nothing by more than a few seconds;
// - the pods of the new ReplicaSet and their events, read on every tick: ErrImagePull, crash
//   loops, a missing Secret key or a failing readiness probe are logged as they appear, and a
//   problem repeated `podFailureLimit` times fails the deploy without waiting out the timeout;
// - progress (`1/3 ready, 12 s of 300 s`) on every tick: redrawn on a terminal, a line now and then in CI.
import type { Color } from '../config/types.js';
import { OperationFailedError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import { APPS_V1, colorState } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { describeProblem, diagnosePods, needsEvents, remedyFor, type PodProblem } from './pod-diagnosis.js';

const TICK_MS = 1000;
const SILENT_MS = 2500;
const LOG_TAIL_LINES = 10;
const REVISION = 'deployment.kubernetes.io/revision';

type Ref = { apiVersion: string; kind: string; name: string; namespace: string };

export async function waitForReplicas(ctx: EngineContext, color: Color, view: ClusterView): Promise<string> {
  const ref = {
    apiVersion: APPS_V1,
    kind: 'Deployment',
    name: ctx.source.deploymentName(color),
    namespace: ctx.namespace,
  };
  const started = ctx.deps.clock();
  const deadline = started + ctx.config.rolloutTimeoutSeconds * 1000;
  const follower = new DeploymentFollower(ctx, ref, await ctx.kube.get(ref));
  const pods = new PodWatch(ctx);
  try {
    for (;;) {
      const dep = follower.latest;
      view.set(dep);
      const state = colorState(color, dep);
      if (state.allReady) return `${state.ready}/${state.replicas} ready in ${ctx.deps.clock() - started} ms`;
      const now = ctx.deps.clock();
      if (now >= deadline || progressDeadlineExceeded(dep))
        throw await rolloutTimeout(ctx, dep, state, pods.problems, color);
      const fatal = await pods.check(dep);
      if (fatal) throw await podFailure(ctx, dep, fatal, color);
      ctx.deps.log.progress?.(
        `${state.ready}/${state.replicas} ready, ${Math.round((now - started) / 1000)} s of ${ctx.config.rolloutTimeoutSeconds} s`,
      );
      await follower.changeOrTick(Math.min(TICK_MS, deadline - ctx.deps.clock()));
    }
  } finally {
    follower.stop();
  }
}

/**
 * The Deployment as last seen: from its watch while the watch talks, from a GET on each tick when
 * the watch failed, ended, or has been silent for SILENT_MS (a stream can hang without closing).
 */
class DeploymentFollower {
  latest: KubeObject;
  private heardAt: number;
  private watching = true;
  private readonly stopWatch = new AbortController();
  private wake: (() => void) | undefined;

  constructor(
    private readonly ctx: EngineContext,
    private readonly ref: Ref,
    from: KubeObject,
  ) {
    this.latest = from;
    this.heardAt = ctx.deps.clock();
    void this.follow(from);
  }

  private async follow(from: KubeObject): Promise<void> {
    const signal = this.ctx.deps.signal
      ? AbortSignal.any([this.ctx.deps.signal, this.stopWatch.signal])
      : this.stopWatch.signal;
    try {
      const events = this.ctx.kube.watch(APPS_V1, 'Deployment', {
        namespace: this.ref.namespace,
        fieldSelector: `metadata.name=${this.ref.name}`,
        resourceVersion: from.metadata.resourceVersion,
        timeoutSeconds: this.ctx.config.rolloutTimeoutSeconds + 5,
        signal,
      });
      for await (const event of events) {
        this.heardAt = this.ctx.deps.clock();
        if (event.type === 'BOOKMARK' || event.type === 'DELETED') continue;
        this.take(event.object);
      }
    } catch (err) {
      if (!signal.aborted)
        this.ctx.deps.log.warn(
          `watching Deployment ${this.ref.name} failed (${(err as Error).message}); polling instead`,
        );
    } finally {
      this.watching = false;
      this.wake?.();
    }
  }

  private take(dep: KubeObject): void {
    const seen = Number(this.latest.metadata.resourceVersion);
    const got = Number(dep.metadata.resourceVersion);
    // resourceVersions are opaque, but never go back for one object; keep the newer when both are numbers.
    if (Number.isFinite(seen) && Number.isFinite(got) && got < seen) return;
    this.latest = dep;
    this.wake?.();
  }

  /** Resolves on a watch event, or after `ms` — having read the Deployment if the watch is not to be trusted. */
  async changeOrTick(ms: number): Promise<void> {
    const stop = this.ctx.deps.signal;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      stop?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
    stop?.throwIfAborted();
    if (!this.watching || this.ctx.deps.clock() - this.heardAt >= SILENT_MS)
      this.take(await this.ctx.kube.get(this.ref));
  }

  stop(): void {
    this.stopWatch.abort();
  }
}

/** The new ReplicaSet's pods and their events: problems logged once each, the first certain one returned. */
class PodWatch {
  problems: PodProblem[] = [];
  private readonly told = new Map<string, string>();
  private readonly limit: number;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly ctx: EngineContext) {
    this.limit = ctx.config.podFailureLimit;
  }

  /** At most once per TICK_MS, however chatty the Deployment's watch is. */
  async check(dep: KubeObject): Promise<PodProblem | undefined> {
    if (this.ctx.deps.clock() - this.checkedAt < TICK_MS) return undefined;
    this.checkedAt = this.ctx.deps.clock();
    const pods = await newPods(this.ctx, dep);
    if (!pods.length || !needsEvents(pods)) return ((this.problems = []), undefined);
    const events = await this.ctx.kube.list('v1', 'Event', this.ctx.namespace, {
      fieldSelector: 'involvedObject.kind=Pod',
    });
    this.problems = diagnosePods(pods, events.items as never[], this.limit);
    for (const p of this.problems) {
      const key = `${p.pod}/${p.container}`;
      const line = describeProblem(p);
      // Once per failure (a pull, a crash, a retry), and a probe once per new answer: a probe failing
      // every second for five minutes is one line, not three hundred.
      const gist = p.kind === 'probe' ? p.message : `${p.message} ${p.failures}`;
      if (this.told.get(key) !== gist) this.ctx.deps.log.warn(line);
      this.told.set(key, gist);
    }
    return this.problems.find((p) => p.certain);
  }
}

/** Pods of the Deployment's current ReplicaSet; none until the controller has seen the current spec. */
async function newPods(ctx: EngineContext, dep: KubeObject): Promise<KubeObject[]> {
  const status = dep.status as { observedGeneration?: number } | undefined;
  const revision = dep.metadata.annotations?.[REVISION];
  if (!revision || (status?.observedGeneration ?? 0) < (dep.metadata.generation ?? 0)) return [];
  const labelSelector = selectorOf(dep);
  const sets = await ctx.kube.list(APPS_V1, 'ReplicaSet', ctx.namespace, { labelSelector });
  const current = sets.items.find(
    (rs) =>
      rs.metadata.annotations?.[REVISION] === revision &&
      rs.metadata.ownerReferences?.some((o) => o.uid === dep.metadata.uid),
  );
  const hash = current?.metadata.labels?.['pod-template-hash'];
  if (!hash) return [];
  const pods = await ctx.kube.list('v1', 'Pod', ctx.namespace, {
    labelSelector: `${labelSelector},pod-template-hash=${hash}`,
  });
  return pods.items;
}

function selectorOf(dep: KubeObject): string {
  const labels =
    (dep.spec as { selector?: { matchLabels?: Record<string, string> } })?.selector?.matchLabels ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The crashed run's last lines: the previous instance's log, or the current one before any restart. */
async function logTail(ctx: EngineContext, p: PodProblem): Promise<string> {
  const read = (previous: boolean) =>
    ctx.kube.logs(
      { name: p.pod, namespace: ctx.namespace },
      { container: p.container, previous, tailLines: LOG_TAIL_LINES },
    );
  try {
    const text = await read(true).catch(() => read(false));
    const lines = text.trimEnd().split('\n').filter(Boolean);
    return lines.length
      ? `\nlast log lines of ${p.pod}/${p.container}:\n${lines.map((l) => `  | ${l}`).join('\n')}`
      : '';
  } catch (err) {
    return `\n(its log could not be read: ${(err as Error).message})`;
  }
}

async function podFailure(ctx: EngineContext, dep: KubeObject, p: PodProblem, color: Color): Promise<Error> {
  const state = colorState(color, dep);
  const tail = p.kind === 'crash' ? await logTail(ctx, p) : '';
  return new OperationFailedError(
    `Deployment ${ctx.namespace}/${dep.metadata.name}: ${state.ready}/${state.replicas} replicas ready and they cannot start: ${describeProblem(p)}${tail}`,
    { remedy: remedyFor(p, color) },
  );
}

async function rolloutTimeout(
  ctx: EngineContext,
  dep: KubeObject,
  state: { ready: number; replicas: number },
  problems: PodProblem[],
  color: Color,
): Promise<Error> {
  const why = problems.length
    ? `; ${problems.map(describeProblem).join('; ')}${problems[0].kind === 'probe' ? `${await probeText(ctx, dep, problems[0])}` : ''}`
    : '';
  return new OperationFailedError(
    `Deployment ${ctx.namespace}/${dep.metadata.name}: ${state.ready}/${state.replicas} replicas ready${progressDeadlineExceeded(dep) ? ' and its progress deadline passed' : ` after ${ctx.config.rolloutTimeoutSeconds} s`}${why}`,
    {
      remedy: problems.length
        ? remedyFor(problems[0], color)
        : 'check the image and the readiness probe (`kubectl describe pod`), then deploy again; live traffic was not touched',
    },
  );
}

/** Names the readiness probe of the container (`httpGet :8080/ready every 1 s`). */
async function probeText(ctx: EngineContext, dep: KubeObject, p: PodProblem): Promise<string> {
  const containers =
    (dep.spec as { template?: { spec?: { containers?: Array<Record<string, unknown>> } } })?.template?.spec
      ?.containers ?? [];
  const probe = containers.find((c) => c.name === p.container)?.readinessProbe as
    | {
        httpGet?: { path?: string; port?: unknown };
        tcpSocket?: { port?: unknown };
        exec?: { command?: string[] };
        periodSeconds?: number;
      }
    | undefined;
  if (!probe) return '';
  const what = probe.httpGet
    ? `httpGet ${probe.httpGet.path ?? '/'} on port ${String(probe.httpGet.port)}`
    : probe.tcpSocket
      ? `tcpSocket on port ${String(probe.tcpSocket.port)}`
      : probe.exec
        ? `exec ${(probe.exec.command ?? []).join(' ')}`
        : 'probe';
  return ` (readiness probe: ${what}, every ${probe.periodSeconds ?? 10} s)`;
}

/** The Deployment controller gave up (progressDeadlineSeconds): no point in waiting longer. */
function progressDeadlineExceeded(dep: KubeObject): boolean {
  const conditions =
    (dep.status as { conditions?: Array<{ type: string; status: string; reason?: string }> })?.conditions ??
    [];
  return conditions.some(
    (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
  );
}

export function podWaitReason(pod: KubeObject): string {
  const statuses =
    (
      pod.status as {
        containerStatuses?: Array<{ state?: { waiting?: { reason?: string } }; ready?: boolean }>;
      }
    )?.containerStatuses ?? [];
  for (const s of statuses) if (s.state?.waiting?.reason) return s.state.waiting.reason;
  if (statuses.some((s) => s.ready === false)) return 'not ready';
  return '';
}
