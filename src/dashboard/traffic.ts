// Live traffic per workload from Istio's standard request metrics (istio_requests_total and
// istio_request_duration_milliseconds, reporter="source" as the ingress gateway reports them),
// read from an Envoy /stats/prometheus endpoint. Rates come from the difference of two scrapes,
// so the dashboard needs no Prometheus. Only the data plane is scraped, never the API server.
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

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function labelsOf(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const m of text.matchAll(LABEL))
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return out;
}

/** Reads the two Istio request metrics out of a Prometheus text exposition. */
export function parseScrape(text: string): Scrape {
  const out: Scrape = new Map();
  const entry = (labels: Record<string, string>) => {
    const key = `${labels.destination_workload_namespace ?? ''}/${labels.destination_workload ?? ''}`;
    let e = out.get(key);
    if (!e) out.set(key, (e = { requests: 0, errors: 0, buckets: [] }));
    return e;
  };
  for (const line of text.split('\n')) {
    if (!line.startsWith('istio_request')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, name, labelText, raw] = m;
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const labels = labelsOf(labelText);
    if (labels.reporter && labels.reporter !== 'source') continue;
    if (name === 'istio_requests_total') {
      const e = entry(labels);
      e.requests += value;
      if ((labels.response_code ?? '').startsWith('5')) e.errors += value;
    } else if (name === 'istio_request_duration_milliseconds_bucket') {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      const e = entry(labels);
      const slot = e.buckets.find(([b]) => b === le);
      if (slot) slot[1] += value;
      else e.buckets.push([le, value]);
    }
  }
  for (const e of out.values()) e.buckets.sort((a, b) => a[0] - b[0]);
  return out;
}

/** Prometheus' histogram_quantile over the bucket increases between two scrapes. */
export function quantile(
  q: number,
  before: WorkloadCounters['buckets'],
  after: WorkloadCounters['buckets'],
): number | null {
  const prev = new Map(before);
  const deltas = after.map(([le, n]) => [le, Math.max(0, n - (prev.get(le) ?? 0))] as [number, number]);
  const total = deltas.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of deltas) {
    if (count >= rank) {
      if (le === Infinity) return lowerBound; // as Prometheus: the highest finite bound
      const inBucket = count - lowerCount;
      return inBucket <= 0 ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
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
