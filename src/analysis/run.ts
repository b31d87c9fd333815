// One analysis run from the `analysis:` config: the probes of every metric over the configured
// provider, evaluated over the window of the phase (pre- or post-promotion).
import type { AnalysisConfig, AnalysisMetric, AnalysisWindow } from '../config/analysis-types.js';
import { describeCondition, passes } from './condition.js';
import { evaluate, type Probe } from './evaluate.js';
import { builtinQuery } from './istio-queries.js';
import { runCommandMetric } from './providers/command.js';
import { GatewayStats } from './providers/gateway-stats.js';
import { bearerToken, PrometheusClient } from './providers/prometheus.js';
import { callWebhook } from './providers/webhook.js';
import { renderTemplate } from './template.js';
import type { AnalysisDeps, AnalysisResult, AnalysisTarget, Measurement } from './types.js';

export const GATEWAY_STATS_PATH = '/stats/prometheus';

export interface RunOptions {
  config: AnalysisConfig;
  window: AnalysisWindow;
  target: AnalysisTarget;
  deps: AnalysisDeps;
  /** The Prometheus bearer token from prometheus.bearerTokenSecret, read by the caller. */
  secretToken?: string;
  onMeasurement?: (m: Measurement) => void;
}

export async function runAnalysis(o: RunOptions): Promise<AnalysisResult> {
  const { config, target, deps } = o;
  const gateway =
    config.provider === 'gateway' && config.metrics.some((m) => m.kind === 'builtin')
      ? new GatewayStats(
          config.gatewayStatsUrl ?? target.gatewayUrl.replace(/\/+$/, '') + GATEWAY_STATS_PATH,
          { namespace: target.namespace, workload: target.workload },
          deps,
        )
      : undefined;
  const probes = config.metrics.map((m) => probeFor(m, o, gateway));
  // The first scrape is the baseline: the first round measures the requests after it.
  await gateway?.scrape();
  return evaluate(
    probes,
    {
      phase: target.phase,
      intervalMs: o.window.intervalSeconds * 1000,
      durationMs: o.window.durationSeconds * 1000,
      consecutiveErrorLimit: config.consecutiveErrorLimit,
      beforeRound: gateway ? () => gateway.scrape() : undefined,
      onMeasurement: o.onMeasurement,
    },
    deps,
  );
}

function probeFor(m: AnalysisMetric, o: RunOptions, gateway: GatewayStats | undefined): Probe {
  const { config, target, deps } = o;
  const base = { name: m.name, failureLimit: m.failureLimit };
  if (m.kind === 'webhook') {
    return {
      ...base,
      limit: 'webhook answers 2xx',
      read: () => callWebhook(m.url, m.timeoutMs, target, m.metadata, deps),
      judge: () => true,
    };
  }
  if (m.kind === 'command') {
    return {
      ...base,
      limit: 'command exits 0',
      read: () => runCommandMetric(m.run, m.timeoutMs, target, deps),
      judge: () => true,
    };
  }
  const judge = (v: number) => passes(m, v);
  const limit = describeCondition(m);
  if (m.kind === 'builtin' && gateway)
    return { ...base, limit, judge, read: async () => gateway.read(m.name) };
  const p = config.prometheus!;
  let client: PrometheusClient | undefined;
  const prometheus = () =>
    (client ??= new PrometheusClient(p, bearerToken(p, deps.env, o.secretToken), deps));
  const startedAt = deps.clock();
  const query = () => {
    const windowSeconds = queryWindow(p.windowSeconds, deps.clock() - startedAt);
    if (m.kind === 'builtin')
      return builtinQuery(
        m.name,
        {
          reporter: p.reporter,
          namespace: target.namespace,
          workload: target.workload,
          version: target.version,
        },
        windowSeconds,
      );
    return renderTemplate(m.query, {
      app: target.app,
      namespace: target.namespace,
      color: target.color,
      release: target.release,
      workload: target.workload,
      interval: `${windowSeconds}s`,
    });
  };
  return { ...base, limit, judge, warmupMs: p.warmupSeconds * 1000, read: () => prometheus().query(query()) };
}

/**
 * The range of rate() for a measurement taken `elapsedMs` into the analysis: it grows from 2 s
 * to windowSeconds. Deployments are named per color, so `destination_workload` is the same for
 * every release that ran on it: a full window right after the switch could reach back to the
 * previous release of that color (say, one just rolled back) and judge it instead of this one.
 */
export function queryWindow(windowSeconds: number, elapsedMs: number): number {
  return Math.max(2, Math.min(windowSeconds, Math.ceil(elapsedMs / 1000)));
}
