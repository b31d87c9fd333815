// Live traffic per workload from Istio's standard request metrics (istio_requests_total and
// istio_request_duration_milliseconds, reporter="source" as the ingress gateway reports them),
// read from an Envoy /stats/prometheus endpoint. Rates come from the difference of two scrapes,
// so the dashboard needs no Prometheus. Only the data plane is scraped, never the API server.
import { histogramQuantile } from '../analysis/histogram.js';
import { parseExposition } from '../analysis/prometheus-text.js';
import type { TrafficPoint } from './wire.js';

export type { TrafficPoint };

export interface WorkloadCounters {
  requests: number;
  errors: number;
  /** Cumulative bucket counts by upper bound (ms), +Inf last. */
  buckets: Array<[number, number]>;
}

/** `namespace/workload` → counters, summed over every other label. */
export type Scrape = Map<string, WorkloadCounters>;

/** Reads the two Istio request metrics out of a Prometheus text exposition. */
export function parseScrape(text: string): Scrape {
  const out: Scrape = new Map();
  for (const { name, labels, value } of parseExposition(text, METRICS)) {
    if (!Number.isFinite(value) || (labels.reporter && labels.reporter !== 'source')) continue;
    const key = `${labels.destination_workload_namespace ?? ''}/${labels.destination_workload ?? ''}`;
    let e = out.get(key);
    if (!e) out.set(key, (e = { requests: 0, errors: 0, buckets: [] }));
    if (name === 'istio_requests_total') {
      e.requests += value;
      if ((labels.response_code ?? '').startsWith('5')) e.errors += value;
    } else {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      const slot = e.buckets.find(([b]) => b === le);
      if (slot) slot[1] += value;
      else e.buckets.push([le, value]);
    }
  }
  for (const e of out.values()) e.buckets.sort((a, b) => a[0] - b[0]);
  return out;
}

const METRICS = new Set(['istio_requests_total', 'istio_request_duration_milliseconds_bucket']);

/** histogram_quantile over the bucket increases between two scrapes; null without requests. */
export function quantile(
  q: number,
  before: WorkloadCounters['buckets'],
  after: WorkloadCounters['buckets'],
): number | null {
  const prev = new Map(before);
  const increase = after.map(([le, n]) => ({ le, count: Math.max(0, n - (prev.get(le) ?? 0)) }));
  return histogramQuantile(q, increase) ?? null;
}

/** The traffic of one workload between two scrapes `ms` apart. */
export function pointBetween(
  before: WorkloadCounters | undefined,
  after: WorkloadCounters | undefined,
  ms: number,
  at: number,
): TrafficPoint {
  const requests = Math.max(0, (after?.requests ?? 0) - (before?.requests ?? 0));
  const errors = Math.max(0, (after?.errors ?? 0) - (before?.errors ?? 0));
  return {
    at,
    rps: ms > 0 ? Math.round((requests * 1000 * 10) / ms) / 10 : 0,
    errorRate: requests > 0 ? errors / requests : null,
    p99Ms: requests > 0 ? quantile(0.99, before?.buckets ?? [], after?.buckets ?? []) : null,
  };
}
