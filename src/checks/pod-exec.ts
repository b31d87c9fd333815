// Exec checks and hooks run in one ready pod of the color (the seed's `kubectl exec … npm run
// ping` / `npm run migrate`), chosen from the color's pods by readiness, never a terminating one.
import type { ExecSmokeTest } from '../config/types.js';
import type { KubeObject } from '../kube/types.js';
import { outputTail, type CheckContext, type CheckResult } from './types.js';

export function isReadyPod(pod: KubeObject): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const conditions =
    (pod.status as { conditions?: Array<{ type: string; status: string }> })?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export async function pickReadyPod(ctx: CheckContext): Promise<KubeObject | undefined> {
  const pods = await ctx.kube.list('v1', 'Pod', ctx.namespace, { labelSelector: ctx.podSelector });
  return pods.items.find(isReadyPod);
}

export async function runExecCheck(
  ctx: CheckContext,
  test: ExecSmokeTest,
  pod?: KubeObject,
): Promise<CheckResult> {
  const started = ctx.deps.clock();
  const target = pod ?? (await pickReadyPod(ctx));
  const done = (ok: boolean, detail: string, output?: string): CheckResult => ({
    name: test.name,
    kind: 'exec',
    ok,
    detail,
    ...(output ? { output } : {}),
    ms: ctx.deps.clock() - started,
  });
  if (!target) return done(false, `no ready pod of ${ctx.color} (${ctx.podSelector})`);
  const shown = `${test.command.join(' ')} in pod ${target.metadata.name}`;
  const result = await ctx.kube.exec(
    { name: target.metadata.name, namespace: ctx.namespace },
    test.container,
    test.command,
    { timeoutMs: test.timeoutMs, signal: ctx.deps.signal },
  );
  if (result.exitCode === 0) return done(true, `${shown}: exit 0`);
  return done(false, `${shown}: exit ${result.exitCode}`, outputTail(`${result.stdout}\n${result.stderr}`));
}
