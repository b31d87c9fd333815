// Waits until every replica of a color's Deployment runs the current spec and is available,
// and no pod of an older spec is left. Watches the Deployment (one request, and the answer the
// moment the controller reports it); if the watch fails, polls with back-off instead. On timeout
// the message says what the pods are waiting for (ErrImagePull, …).
import type { Color } from '../config/types.js';
import { OperationFailedError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import { APPS_V1, colorState } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';

type Verdict = 'ready' | 'failed' | undefined;

export async function waitForReplicas(ctx: EngineContext, color: Color, view: ClusterView): Promise<string> {
  const name = ctx.source.deploymentName(color);
  const started = ctx.deps.clock();
  const deadline = started + ctx.config.rolloutTimeoutSeconds * 1000;
  const judge = (dep: KubeObject): Verdict => {
    view.set(dep);
    if (colorState(color, dep).allReady) return 'ready';
    return ctx.deps.clock() >= deadline || progressDeadlineExceeded(dep) ? 'failed' : undefined;
  };
  const ref = { apiVersion: APPS_V1, kind: 'Deployment', name, namespace: ctx.namespace };
  let dep = await ctx.kube.get(ref);
  if (!judge(dep))
    dep = (await watchUntil(ctx, dep, deadline, judge)) ?? (await pollUntil(ctx, ref, deadline, judge));
  const state = colorState(color, dep);
  if (state.allReady) return `${state.ready}/${state.replicas} ready in ${ctx.deps.clock() - started} ms`;
  throw await rolloutTimeout(ctx, dep, state.ready, state.replicas);
}

/** Follows the Deployment's watch until judged; undefined when the watch itself failed. */
async function watchUntil(
  ctx: EngineContext,
  from: KubeObject,
  deadline: number,
  judge: (dep: KubeObject) => Verdict,
): Promise<KubeObject | undefined> {
  let last = from;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.deps.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => stop.abort(), Math.max(0, deadline - ctx.deps.clock()));
  try {
    const events = ctx.kube.watch(APPS_V1, 'Deployment', {
      namespace: ctx.namespace,
      fieldSelector: `metadata.name=${from.metadata.name}`,
      resourceVersion: from.metadata.resourceVersion,
      timeoutSeconds: Math.ceil(Math.max(1, deadline - ctx.deps.clock()) / 1000),
      signal: stop.signal,
    });
    for await (const event of events) {
      if (event.type === 'BOOKMARK' || event.type === 'DELETED') continue;
      last = event.object;
      if (judge(last)) return last;
    }
    // The server ended the stream (its timeout) or our deadline aborted it: judge what we have.
    return judge(last) || ctx.deps.clock() >= deadline ? last : undefined;
  } catch (err) {
    ctx.deps.signal?.throwIfAborted();
    ctx.deps.log.warn(
      `watching Deployment ${from.metadata.name} failed (${(err as Error).message}); polling instead`,
    );
    return undefined;
  } finally {
    clearTimeout(timer);
    ctx.deps.signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

async function pollUntil(
  ctx: EngineContext,
  ref: { apiVersion: string; kind: string; name: string; namespace: string },
  deadline: number,
  judge: (dep: KubeObject) => Verdict,
): Promise<KubeObject> {
  let pause = 100;
  for (;;) {
    const dep = await ctx.kube.get(ref);
    if (judge(dep) || ctx.deps.clock() >= deadline) return dep;
    await ctx.deps.sleep(pause, ctx.deps.signal);
    pause = Math.min(Math.round(pause * 1.5), 1000);
  }
}

async function rolloutTimeout(
  ctx: EngineContext,
  dep: KubeObject,
  ready: number,
  replicas: number,
): Promise<Error> {
  const selector =
    (dep.spec as { selector?: { matchLabels?: Record<string, string> } })?.selector?.matchLabels ?? {};
  const labelSelector = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await ctx.kube.list('v1', 'Pod', ctx.namespace, { labelSelector });
  const reasons = [...new Set(pods.items.map(podWaitReason).filter(Boolean))];
  return new OperationFailedError(
    `Deployment ${ctx.namespace}/${dep.metadata.name}: ${ready}/${replicas} replicas ready${progressDeadlineExceeded(dep) ? ' and its progress deadline passed' : ` after ${ctx.config.rolloutTimeoutSeconds} s`}${reasons.length ? ` (${reasons.join(', ')})` : ''}`,
    {
      remedy:
        'check the image and the readiness probe (`kubectl describe pod`), then deploy again; live traffic was not touched',
    },
  );
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
