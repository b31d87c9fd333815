// A local command as a metric: exit 0 passes, anything else fails; a command killed by its
// timeout is a measurement error (it said nothing about the release).
import { MeasurementError, type AnalysisDeps, type AnalysisTarget, type Reading } from '../types.js';

export async function runCommandMetric(
  run: string,
  timeoutMs: number,
  target: AnalysisTarget,
  deps: AnalysisDeps,
): Promise<Reading> {
  const started = deps.clock();
  const out = await deps.runCommand(run, {
    env: {
      ...deps.env,
      CUTOVER_APP: target.app,
      CUTOVER_NAMESPACE: target.namespace,
      CUTOVER_COLOR: target.color,
      CUTOVER_RELEASE: target.release,
      CUTOVER_PHASE: target.phase,
      CUTOVER_GATEWAY_URL: target.gatewayUrl,
    },
    timeoutMs,
    signal: deps.signal,
  });
  const tail = out.output.trim().split('\n').slice(-3).join(' | ').slice(0, 300);
  if (out.exitCode !== 0 && deps.clock() - started >= timeoutMs)
    throw new MeasurementError(`command timed out after ${timeoutMs} ms`);
  return { kind: 'answer', ok: out.exitCode === 0, detail: `exit ${out.exitCode}${tail ? `: ${tail}` : ''}` };
}
