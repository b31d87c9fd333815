// What an analysis run measures and decides. Verdicts are ordered as Argo Rollouts orders them
// (the worst metric wins): passed < inconclusive < error < failed. "No data" is inconclusive,
// never a pass.
import type { Color } from '../config/types.js';
import type { CommandRun, HttpAnswer } from '../engine/deps.js';

export type Verdict = 'passed' | 'inconclusive' | 'error' | 'failed';
export const VERDICT_ORDER: readonly Verdict[] = ['passed', 'inconclusive', 'error', 'failed'];

export function worst(verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>(
    (w, v) => (VERDICT_ORDER.indexOf(v) > VERDICT_ORDER.indexOf(w) ? v : w),
    'passed',
  );
}

/** One measurement of one metric: a value, or a pass/fail answer (webhook, command). */
export type Reading =
  | { kind: 'value'; value: number; detail?: string }
  | { kind: 'answer'; ok: boolean; detail: string }
  /** The provider answered but has nothing for this color (no traffic): inconclusive. */
  | { kind: 'no-data'; detail: string };

export interface Measurement {
  metric: string;
  /** ms since the run started. */
  atMs: number;
  phase: 'passed' | 'failed' | 'inconclusive' | 'error';
  value?: number;
  detail: string;
}

export interface MetricResult {
  name: string;
  verdict: Verdict;
  /** `min 95`, `max 500`, `webhook 2xx`… */
  limit: string;
  measurements: number;
  failed: number;
  inconclusive: number;
  errors: number;
  /** Values measured, oldest first (the last 10). */
  values: number[];
  /** Why this verdict, in one line. */
  reason: string;
}

export interface AnalysisResult {
  phase: AnalysisPhase;
  verdict: Verdict;
  metrics: MetricResult[];
  /** The metric that decided a failure, error or inconclusive verdict. */
  decidedBy?: MetricResult;
  durationMs: number;
  measurements: Measurement[];
}

export type AnalysisPhase = 'pre-promotion' | 'post-promotion';

/** Which color of which release an analysis judges. */
export interface AnalysisTarget {
  app: string;
  namespace: string;
  color: Color;
  release: string;
  /** The Deployment name of the color: Istio's destination_workload. */
  workload: string;
  /**
   * The `version` label of the color's pods (cutover sets it to the release): Istio's
   * destination_version, which tells this release's requests from an earlier release's on the
   * same color. Undefined when the pods carry no such label.
   */
  version?: string;
  phase: AnalysisPhase;
  /** Base URL of the ingress gateway (for the gateway provider's default stats URL and load). */
  gatewayUrl: string;
}

export interface AnalysisHttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** PEM CA bundle for https. */
  ca?: string;
  insecureSkipVerify?: boolean;
}

/** The slice of the engine's world an analysis uses (EngineDeps satisfies it). */
export interface AnalysisDeps {
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  http: (url: string, options: AnalysisHttpOptions) => Promise<HttpAnswer>;
  runCommand: (
    command: string,
    options: { env: Record<string, string | undefined>; timeoutMs: number; signal?: AbortSignal },
  ) => Promise<CommandRun>;
  log: { info(message: string): void; warn(message: string): void };
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** A provider or measurement failure (not a bad value): counts toward consecutiveErrorLimit. */
export class MeasurementError extends Error {}
