// The resolved `analysis:` section of cutover.yaml (every default filled in; see defaults.ts).

export type BuiltinMetricName = 'success-rate' | 'latency-p99' | 'latency-p50';
export const BUILTIN_METRICS: readonly BuiltinMetricName[] = ['success-rate', 'latency-p99', 'latency-p50'];

/** When a value passes: bounds and/or an expression over `result` (all that are given must hold). */
export interface PassCondition {
  min?: number;
  max?: number;
  condition?: string;
}

export type AnalysisMetric =
  | ({ kind: 'builtin'; name: BuiltinMetricName; failureLimit: number } & PassCondition)
  | ({ kind: 'query'; name: string; query: string; failureLimit: number } & PassCondition)
  | {
      kind: 'webhook';
      name: string;
      url: string;
      timeoutMs: number;
      metadata: Record<string, string>;
      failureLimit: number;
    }
  | { kind: 'command'; name: string; run: string; timeoutMs: number; failureLimit: number };

export interface AnalysisWindow {
  /** 0 = this analysis is off. */
  durationSeconds: number;
  intervalSeconds: number;
}

export interface PrometheusSettings {
  address: string;
  bearerTokenEnv?: string;
  bearerTokenSecret?: { name: string; key: string };
  /** Absolute path. */
  caFile?: string;
  insecureSkipVerify: boolean;
  reporter: 'source' | 'destination';
  windowSeconds: number;
  /** How long a metric may have no data at the start before those rounds count (see evaluate.ts). */
  warmupSeconds: number;
}

export interface AnalysisConfig {
  provider: 'gateway' | 'prometheus';
  prometheus?: PrometheusSettings;
  /** URL of the gateway's /stats/prometheus; undefined = the gateway URL's. */
  gatewayStatsUrl?: string;
  metrics: AnalysisMetric[];
  consecutiveErrorLimit: number;
  onInconclusive: 'rollback' | 'keep';
  prePromotion: AnalysisWindow & { load: { ratePerSecond: number; paths: string[] } };
  postPromotion: AnalysisWindow;
}
