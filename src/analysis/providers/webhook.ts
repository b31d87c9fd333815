// A webhook gate with Flagger's contract, so flagger-loadtester, k6 and existing gates work
// unchanged: POST {name, namespace, phase, checksum, metadata}; any 2xx passes, any other
// status fails, no answer is a measurement error.
import { createHash } from 'node:crypto';
import { MeasurementError, type AnalysisDeps, type AnalysisTarget, type Reading } from '../types.js';

/** Flagger's phase names: pre-promotion analysis runs while Progressing, post-promotion while Promoting. */
const FLAGGER_PHASE = { 'pre-promotion': 'Progressing', 'post-promotion': 'Promoting' } as const;

export function webhookPayload(target: AnalysisTarget, metadata: Record<string, string>) {
  return {
    name: target.app,
    namespace: target.namespace,
    phase: FLAGGER_PHASE[target.phase],
    // Ties an approval to this release of this color, as Flagger's checksum ties it to a revision.
    checksum: createHash('sha256')
      .update(`${target.namespace}/${target.app}/${target.color}/${target.release}`)
      .digest('hex')
      .slice(0, 16),
    metadata: {
      ...metadata,
      color: target.color,
      release: target.release,
      workload: target.workload,
      analysis: target.phase,
    },
  };
}

export async function callWebhook(
  url: string,
  timeoutMs: number,
  target: AnalysisTarget,
  metadata: Record<string, string>,
  deps: AnalysisDeps,
): Promise<Reading> {
  const answer = await deps.http(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(webhookPayload(target, metadata)),
    timeoutMs,
    signal: deps.signal,
  });
  if (answer.status === 0) throw new MeasurementError(`webhook ${url}: ${answer.body}`);
  const ok = answer.status >= 200 && answer.status <= 299;
  const body = answer.body.trim().slice(0, 200);
  return { kind: 'answer', ok, detail: `HTTP ${answer.status}${body ? `: ${body}` : ''}` };
}
