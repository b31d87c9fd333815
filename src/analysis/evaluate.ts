// The analysis loop: every interval, one measurement of every metric; a metric fails when its
// failed measurements exceed its failureLimit and errs when provider errors in a row exceed
// consecutiveErrorLimit (both end the run at once: that is what makes detection fast); at the end
// a metric without enough data is inconclusive, never passed. The worst metric decides.
// A metric with a warm-up (Prometheus: a new series answers rate() only after two scrapes) does
// not count the rounds before its first data, for up to its warm-up: the run goes on until every
// metric has its rounds, so a slow first scrape costs time, never the verdict.
import {
  MeasurementError,
  worst,
  type AnalysisDeps,
  type AnalysisPhase,
  type AnalysisResult,
  type Measurement,
  type MetricResult,
  type Reading,
} from './types.js';

export interface Probe {
  name: string;
  /** The pass condition as a person reads it: `min 95`, `webhook answers 2xx`. */
  limit: string;
  failureLimit: number;
  /** For how long from the start no-data rounds before the first data do not count (0 = none). */
  warmupMs?: number;
  read(): Promise<Reading>;
  /** For value readings: whether the value passes. */
  judge(value: number): boolean;
}

export interface Schedule {
  phase: AnalysisPhase;
  intervalMs: number;
  durationMs: number;
  consecutiveErrorLimit: number;
  /** Runs before each round of measurements (the gateway provider scrapes there). */
  beforeRound?: () => Promise<void>;
  onMeasurement?: (m: Measurement) => void;
}

interface State {
  result: MetricResult;
  consecutiveErrors: number;
  passed: number;
  decided: boolean;
  /** No data yet, within the warm-up: such rounds are not counted. */
  warming: boolean;
  warmupRounds: number;
}

const KEEP_VALUES = 10;

export async function evaluate(probes: Probe[], s: Schedule, deps: AnalysisDeps): Promise<AnalysisResult> {
  const start = deps.clock();
  const rounds = Math.max(1, Math.floor(s.durationMs / s.intervalMs));
  const states = probes.map((p) => newState(p));
  const measurements: Measurement[] = [];
  const unfinished = () => probes.flatMap((p, i) => (states[i]!.result.measurements < rounds ? [i] : []));
  for (let round = 1, open = unfinished(); open.length > 0; round++, open = unfinished()) {
    await deps.sleep(Math.max(0, start + round * s.intervalMs - deps.clock()), deps.signal);
    deps.signal?.throwIfAborted();
    await s.beforeRound?.();
    const atMs = deps.clock() - start;
    const taken = await Promise.all(open.map((i) => measure(probes[i]!, atMs)));
    taken.forEach((taken, k) => {
      const i = open[k]!;
      const m = warmingUp(states[i]!, probes[i]!, taken)
        ? { ...taken, detail: `${taken.detail} (warm-up: not counted)` }
        : taken;
      measurements.push(m);
      s.onMeasurement?.(m);
      if (m === taken) record(states[i]!, probes[i]!, m, s.consecutiveErrorLimit);
    });
    if (states.some((st) => st.decided)) break;
  }
  for (const st of states) if (!st.decided) conclude(st, rounds);
  const metrics = states.map((st) => st.result);
  const verdict = worst(metrics.map((m) => m.verdict));
  return {
    phase: s.phase,
    verdict,
    metrics,
    decidedBy: verdict === 'passed' ? undefined : metrics.find((m) => m.verdict === verdict),
    durationMs: deps.clock() - start,
    measurements,
  };
}

function newState(p: Probe): State {
  return {
    result: {
      name: p.name,
      verdict: 'passed',
      limit: p.limit,
      measurements: 0,
      failed: 0,
      inconclusive: 0,
      errors: 0,
      values: [],
      reason: '',
    },
    consecutiveErrors: 0,
    passed: 0,
    decided: false,
    warming: (p.warmupMs ?? 0) > 0,
    warmupRounds: 0,
  };
}

/** Whether this no-data reading falls in the probe's warm-up (and so does not count). */
function warmingUp(st: State, p: Probe, m: Measurement): boolean {
  if (!st.warming) return false;
  if (m.phase === 'inconclusive' && m.atMs <= (p.warmupMs ?? 0)) {
    st.warmupRounds++;
    return true;
  }
  st.warming = false;
  return false;
}

async function measure(p: Probe, atMs: number): Promise<Measurement> {
  let r: Reading;
  try {
    r = await p.read();
  } catch (err) {
    if (!(err instanceof MeasurementError)) throw err; // an abort or a bug is not a measurement
    return { metric: p.name, atMs, phase: 'error', detail: err.message };
  }
  if (r.kind === 'no-data') return { metric: p.name, atMs, phase: 'inconclusive', detail: r.detail };
  if (r.kind === 'answer')
    return { metric: p.name, atMs, phase: r.ok ? 'passed' : 'failed', detail: r.detail };
  const ok = p.judge(r.value);
  return {
    metric: p.name,
    atMs,
    phase: ok ? 'passed' : 'failed',
    value: r.value,
    detail: `${round(r.value)}${r.detail ? ` (${r.detail})` : ''}`,
  };
}

function record(st: State, p: Probe, m: Measurement, errorLimit: number): void {
  const r = st.result;
  r.measurements++;
  if (m.value !== undefined) r.values = [...r.values, round(m.value)].slice(-KEEP_VALUES);
  st.consecutiveErrors = m.phase === 'error' ? st.consecutiveErrors + 1 : 0;
  if (m.phase === 'passed') st.passed++;
  if (m.phase === 'failed') r.failed++;
  if (m.phase === 'inconclusive') r.inconclusive++;
  if (m.phase === 'error') r.errors++;
  if (r.failed > p.failureLimit) {
    decide(
      st,
      'failed',
      `${r.failed} failed measurement(s), more than failureLimit ${p.failureLimit}; last: ${m.detail}`,
    );
  } else if (st.consecutiveErrors > errorLimit) {
    decide(
      st,
      'error',
      `${st.consecutiveErrors} provider errors in a row, more than consecutiveErrorLimit ${errorLimit}; last: ${m.detail}`,
    );
  } else if (m.phase !== 'passed') r.reason = `last: ${m.detail}`;
}

function decide(st: State, verdict: 'failed' | 'error', reason: string): void {
  st.decided = true;
  st.result.verdict = verdict;
  st.result.reason = reason;
}

/** At the end: passed only with data in most rounds; otherwise inconclusive (no data is never a pass). */
function conclude(st: State, rounds: number): void {
  const r = st.result;
  const withoutData = r.inconclusive + r.errors;
  if (st.passed + r.failed === 0 || withoutData > Math.floor(rounds / 2)) {
    r.verdict = 'inconclusive';
    r.reason = `no data in ${withoutData} of ${r.measurements} measurement(s)${r.reason ? `; ${r.reason}` : ''}`;
    return;
  }
  r.verdict = 'passed';
  const warmup = st.warmupRounds ? ` (after ${st.warmupRounds} warm-up round(s) without data)` : '';
  r.reason = `${st.passed} of ${r.measurements} measurement(s) passed${warmup}`;
}

export function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/** `success-rate failed (min 95): values 81.2, 79.9 — 2 failed measurement(s)…`: one line per metric. */
export function describeMetric(m: MetricResult): string {
  const values = m.values.length ? `; values ${m.values.join(', ')}` : '';
  return `${m.name} ${m.verdict} (${m.limit})${values}: ${m.reason}`;
}
