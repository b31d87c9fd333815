// `cutover demo --bad-release`: after the healthy cycle, a v3 that answers 500 to one request in
// five (FAIL_PERCENT=20, the readiness path spared) passes its smoke tests, is promoted, fails the
// post-promotion analysis under the users' live traffic and is rolled back by cutover itself.
// The report says how long users were on v3 and how many of their requests failed meanwhile.
import { readFile, writeFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import type { TrafficSample } from './traffic.js';

export const BAD_VERSION = 'v3';

/** The analysis the demo adds for v3: the gateway's own stats, one-second intervals. */
export const DEMO_ANALYSIS = {
  provider: 'gateway',
  metrics: [
    { name: 'success-rate', min: 95 },
    { name: 'latency-p99', max: 500 },
  ],
  // Off before promotion on purpose: the point is to show the rollback after it (with it on,
  // `cutover test` would already refuse v3 under its own tester load).
  prePromotion: { durationSeconds: 0 },
  postPromotion: { durationSeconds: 20, intervalSeconds: 1 },
};

export async function addDemoAnalysis(configFile: string): Promise<void> {
  const config = parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
  await writeFile(configFile, stringify({ ...config, analysis: DEMO_ANALYSIS }));
}

export interface BadReleaseFigures {
  /** From the first to the last plain answer served by v3: users on the bad release. */
  exposureMs: number;
  plainRequestsToBad: number;
  failedPlainRequests: number;
}

export function badReleaseFigures(samples: TrafficSample[]): BadReleaseFigures {
  const bad = samples.filter((s) => s.kind === 'plain' && s.version === BAD_VERSION);
  if (bad.length === 0) return { exposureMs: 0, plainRequestsToBad: 0, failedPlainRequests: 0 };
  const first = bad[0]!.at;
  const last = bad[bad.length - 1]!.at + bad[bad.length - 1]!.latencyMs;
  const failed = samples.filter(
    (s) => s.kind === 'plain' && s.at >= first && s.at <= last && (s.status === 0 || s.status >= 500),
  );
  return {
    exposureMs: Math.round(last - first),
    plainRequestsToBad: bad.length,
    failedPlainRequests: failed.length,
  };
}
