// The engine's side of metrics analysis (src/analysis/ measures, the engine decides):
// - before promotion, in `cutover test`: judge the color under test through the test route while
//   cutover sends tester load itself; each metric becomes a check of the recorded verdict;
// - after promotion, in `promote`/`release`: judge the new live color for the window; on failure
//   roll back by itself with the same guarded, verified switch as `cutover rollback`.
// A mark on the new color's Deployment (`cutover.dev/analysis`) says whether the post-promotion
// analysis of its release is running, passed or failed, so that decommission keeps the previous
// color while it may still be needed, and a re-run after a crash analyses again.
import { describeMetric } from '../analysis/evaluate.js';
import { runAnalysis } from '../analysis/run.js';
import { startTesterLoad } from '../analysis/tester-load.js';
import type { AnalysisPhase, AnalysisResult, AnalysisTarget, Verdict } from '../analysis/types.js';
import type { CheckResult } from '../checks/types.js';
import type { Color } from '../config/types.js';
import { OperationFailedError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import type { LiveRoutes } from '../routers/types.js';
import { APPS_V1, colorStateOf, readAppState } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { dataPlaneOf, gatewayUrl } from './gateway-probe.js';
import type { Refusal } from './guards.js';
import { recordHistory } from './history.js';

export const ANALYSIS_ANNOTATION = 'cutover.dev/analysis';

export interface AnalysisMark {
  release: string;
  state: 'running' | Verdict;
  at: string;
  detail?: string;
}

export interface AnalysisSummary {
  phase: AnalysisPhase;
  verdict: Verdict;
  durationMs: number;
  metrics: Array<{ name: string; verdict: Verdict; limit: string; values: number[]; reason: string }>;
}

function summary(r: AnalysisResult): AnalysisSummary {
  return {
    phase: r.phase,
    verdict: r.verdict,
    durationMs: r.durationMs,
    metrics: r.metrics.map(({ name, verdict, limit, values, reason }) => ({
      name,
      verdict,
      limit,
      values,
      reason,
    })),
  };
}

async function targetOf(
  ctx: EngineContext,
  color: Color,
  release: string,
  phase: AnalysisPhase,
): Promise<AnalysisTarget> {
  const workload = ctx.source.deploymentName(color);
  const [deployment, url] = await Promise.all([
    ctx.kube.getOptional({
      apiVersion: APPS_V1,
      kind: 'Deployment',
      namespace: ctx.namespace,
      name: workload,
    }),
    gatewayUrl(ctx),
  ]);
  return {
    app: ctx.app,
    namespace: ctx.namespace,
    color,
    release,
    workload,
    version: podVersion(deployment),
    phase,
    gatewayUrl: url,
  };
}

/** The `version` label of a Deployment's pods (the mesh's destination_version label), if it sets one. */
function podVersion(deployment: KubeObject | undefined): string | undefined {
  const spec = deployment?.spec as
    { template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  return spec?.template?.metadata?.labels?.version;
}

/** The bearer token from prometheus.bearerTokenSecret, if one is configured. Never logged. */
async function secretToken(ctx: EngineContext): Promise<string | undefined> {
  const ref = ctx.config.analysis?.prometheus?.bearerTokenSecret;
  if (!ref) return undefined;
  const secret = await ctx.kube.getOptional({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: ctx.namespace,
    name: ref.name,
  });
  const value = (secret?.data as Record<string, string> | undefined)?.[ref.key];
  if (value === undefined) {
    ctx.deps.log.warn(
      `Secret ${ctx.namespace}/${ref.name} has no key ${ref.key}: Prometheus is queried without a token`,
    );
    return undefined;
  }
  return Buffer.from(value, 'base64').toString('utf8');
}

async function analyse(ctx: EngineContext, t: AnalysisTarget): Promise<AnalysisResult> {
  const a = ctx.config.analysis!;
  return runAnalysis({
    config: a,
    window: t.phase === 'pre-promotion' ? a.prePromotion : a.postPromotion,
    target: t,
    deps: ctx.deps,
    secretToken: await secretToken(ctx),
    onMeasurement: (m) => ctx.deps.log.info(`${t.phase} analysis: ${m.metric} ${m.phase}: ${m.detail}`),
  });
}

export function wantsPreAnalysis(ctx: EngineContext): boolean {
  return (ctx.config.analysis?.prePromotion.durationSeconds ?? 0) > 0;
}

/** Pre-promotion analysis under tester load; each metric a check of the test verdict. */
export async function preAnalysisChecks(
  ctx: EngineContext,
  color: Color,
  release: string,
): Promise<CheckResult[]> {
  const a = ctx.config.analysis!;
  const t = await targetOf(ctx, color, release, 'pre-promotion');
  const testers = await dataPlaneOf(ctx, true);
  const load = startTesterLoad(
    {
      baseUrl: testers.url ?? t.gatewayUrl,
      paths: a.prePromotion.load.paths,
      ratePerSecond: a.prePromotion.load.ratePerSecond,
      headers: testers.headers,
    },
    ctx.deps,
  );
  let r: AnalysisResult;
  try {
    r = await analyse(ctx, t);
  } finally {
    const sent = await load.stop();
    ctx.deps.log.info(`pre-promotion analysis: sent ${sent.sent} tester requests (${sent.failed} failed)`);
  }
  return r.metrics.map((m) => ({
    name: `analysis ${m.name}`,
    kind: 'analysis',
    ok: m.verdict === 'passed',
    detail: describeMetric(m),
    ms: r.durationMs,
  }));
}

export function readMark(
  dep: { metadata: { annotations?: Record<string, string> } } | undefined,
): AnalysisMark | undefined {
  const raw = dep?.metadata.annotations?.[ANALYSIS_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as AnalysisMark;
  } catch {
    return { release: '', state: 'running', at: '' }; // unreadable: treat as unfinished, never as passed
  }
}

async function writeMark(ctx: EngineContext, color: Color, mark: Omit<AnalysisMark, 'at'>): Promise<void> {
  const value: AnalysisMark = { ...mark, at: new Date(ctx.deps.clock()).toISOString() };
  ctx.lock?.assertHeld();
  // A merge patch of our own annotation: it cannot undo anyone else's write.
  await ctx.kube.mergePatch(
    {
      apiVersion: APPS_V1,
      kind: 'Deployment',
      namespace: ctx.namespace,
      name: ctx.source.deploymentName(color),
    },
    { metadata: { annotations: { [ANALYSIS_ANNOTATION]: JSON.stringify(value) } } },
  );
}

export interface RollbackDone {
  color: Color;
  release: string | null;
  timeToEffectMs: number | null;
}

/**
 * After a verified switch to `color`: judge it for the post-promotion window. Passed: returns the
 * summary. Failed (or inconclusive with onInconclusive: rollback): rolls back through `rollback`
 * (the guarded, verified switch), records it as automatic, and throws naming the metric.
 */
export async function watchAfterSwitch(
  ctx: EngineContext,
  view: ClusterView,
  color: Color,
  release: string,
  rollback: (view: ClusterView) => Promise<RollbackDone>,
): Promise<AnalysisSummary | undefined> {
  const a = ctx.config.analysis;
  if (!a || a.postPromotion.durationSeconds === 0 || ctx.dryRun) return undefined;
  const mark = readMark(colorStateOf(ctx, view, color).deployment);
  if (mark?.release === release && mark.state === 'passed') {
    ctx.deps.log.info(`post-promotion analysis of release ${release} already passed at ${mark.at}`);
    return undefined;
  }
  await writeMark(ctx, color, { release, state: 'running' });
  const r = await analyse(ctx, await targetOf(ctx, color, release, 'post-promotion'));
  const decided = r.decidedBy ? describeMetric(r.decidedBy) : '';
  if (r.verdict === 'passed') {
    await writeMark(ctx, color, { release, state: 'passed' });
    return summary(r);
  }
  await writeMark(ctx, color, { release, state: r.verdict, detail: decided });
  if (r.verdict !== 'failed' && a.onInconclusive === 'keep') {
    throw new OperationFailedError(
      `post-promotion analysis of release ${release} on ${color} was ${r.verdict}: ${decided}. The release stays live (onInconclusive: keep).`,
      {
        remedy: `check the metrics provider; re-run \`cutover promote --release ${release}\` to analyse again, or \`cutover rollback\``,
      },
    );
  }
  const started = ctx.deps.clock();
  const back = await rollback(await readAppState(ctx));
  const detail = `automatic rollback: post-promotion analysis of release ${release} ${r.verdict}: ${decided}`;
  await recordHistory(ctx, {
    at: new Date(ctx.deps.clock()).toISOString(),
    operation: 'rollback',
    result: 'done',
    release: back.release ?? undefined,
    color: back.color,
    from: color,
    detail,
    automatic: true,
    by: ctx.lock?.identity,
    durationMs: ctx.deps.clock() - started,
  });
  throw new OperationFailedError(
    `post-promotion analysis of release ${release} on ${color} ${r.verdict} after ${Math.round(r.durationMs / 100) / 10} s: ${decided}. Rolled back automatically to ${back.color}${back.release ? ` (release ${back.release})` : ''}; plain traffic back after ${back.timeToEffectMs ?? '?'} ms.`,
    { remedy: 'fix the release and deploy it again; `cutover history` shows the automatic rollback' },
  );
}

/** Decommission keeps the previous color while the live release's analysis is unfinished or failed. */
export function mustNotBeNeededByAnalysis(
  ctx: EngineContext,
  view: ClusterView,
  routes: LiveRoutes,
): Refusal | undefined {
  if (!routes.activeColor) return undefined;
  const live = colorStateOf(ctx, view, routes.activeColor);
  const mark = readMark(live.deployment);
  if (!mark || mark.state === 'passed' || (live.release && mark.release !== live.release)) return undefined;
  return {
    message: `Deployment ${ctx.namespace}/${live.deployment!.metadata.name}: the post-promotion analysis of release ${mark.release} is ${mark.state === 'running' ? 'unfinished' : mark.state}, so the previous color is still needed to roll back to.`,
    remedy: `run \`cutover promote --release ${mark.release}\` again to finish the analysis, or \`cutover rollback\``,
  };
}
