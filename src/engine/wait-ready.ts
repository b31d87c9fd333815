// Waits until every replica of a color's Deployment runs the current spec and is available,
// and no pod of an older spec is left. Polls with back-off (a handful of requests for a typical
// rollout); on timeout the message says what the pods are waiting for (ErrImagePull, …).
import type { Color } from '../config/types.js';
import { OperationFailedError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import { APPS_V1, colorState } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';

export async function waitForReplicas(ctx: EngineContext, color: Color, view: ClusterView): Promise<string> {
  const name = ctx.source.deploymentName(color);
  const { clock, sleep, signal } = ctx.deps;
  const started = clock();
  const deadline = started + ctx.config.rolloutTimeoutSeconds * 1000;
  let pause = 100;
  for (;;) {
    const dep = await ctx.kube.get({
      apiVersion: APPS_V1,
      kind: 'Deployment',
      name,
      namespace: ctx.namespace,
    });
    view.set(dep);
    const state = colorState(color, dep);
    if (state.allReady) return `${state.ready}/${state.replicas} ready in ${clock() - started} ms`;
    if (clock() >= deadline || progressDeadlineExceeded(dep))
      throw await rolloutTimeout(ctx, dep, state.ready, state.replicas);
    await sleep(pause, signal);
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
