// The gateway provider: no Prometheus needed. Each interval it scrapes the ingress gateway's own
// /stats/prometheus (Envoy's Istio stats) once, and computes the built-in metrics of one color
// from the difference between this scrape and the previous one: the requests of that interval.
import type { BuiltinMetricName } from '../../config/analysis-types.js';
import { histogramQuantile, type Bucket } from '../histogram.js';
import { parseExposition, type Sample } from '../prometheus-text.js';
import { MeasurementError, type AnalysisDeps, type Reading } from '../types.js';

const NAMES = new Set(['istio_requests_total', 'istio_request_duration_milliseconds_bucket']);

interface Scrape {
  requests: Map<string, { code: string; n: number }>;
  buckets: Map<string, { le: number; n: number }>;
}

export interface WorkloadSelector {
  namespace: string;
  workload: string;
}

function seriesKey(s: Sample): string {
  return Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${s.labels[k]}`)
    .join(',');
}

function counterDelta(now: number, before: number | undefined): number {
  // A counter that went down was reset (the gateway restarted): all of it is new, as rate() reads it.
  if (before === undefined || now < before) return now;
  return now - before;
}

export class GatewayStats {
  private previous?: Scrape;
  private current?: Scrape;
  private failure?: string;

  constructor(
    readonly url: string,
    private readonly selector: WorkloadSelector,
    private readonly deps: AnalysisDeps,
  ) {}

  /** Scrapes once; call at the start of the run and at every interval before reading. */
  async scrape(): Promise<void> {
    this.deps.signal?.throwIfAborted();
    const answer = await this.deps
      .http(this.url, { timeoutMs: 5000, signal: this.deps.signal })
      .catch((err: Error) => ({ status: 0, headers: {}, body: err.message }));
    if (answer.status !== 200) {
      this.failure = `${this.url}: ${answer.status === 0 ? answer.body : `HTTP ${answer.status}`}`;
      return;
    }
    this.failure = undefined;
    this.previous = this.current;
    this.current = this.parse(answer.body);
  }

  private parse(text: string): Scrape {
    const out: Scrape = { requests: new Map(), buckets: new Map() };
    for (const s of parseExposition(text, NAMES)) {
      const l = s.labels;
      if (l.reporter !== 'source') continue;
      if (l.destination_workload !== this.selector.workload) continue;
      if (l.destination_workload_namespace !== this.selector.namespace) continue;
      if (s.name === 'istio_requests_total')
        out.requests.set(seriesKey(s), { code: l.response_code ?? '', n: s.value });
      else out.buckets.set(seriesKey(s), { le: Number(l.le === '+Inf' ? Infinity : l.le), n: s.value });
    }
    return out;
  }

  read(metric: BuiltinMetricName): Reading {
    if (this.failure) throw new MeasurementError(`cannot scrape the gateway's stats: ${this.failure}`);
    if (!this.current || !this.previous)
      throw new MeasurementError('no two scrapes of the gateway stats yet');
    if (metric === 'success-rate') return this.successRate(this.current, this.previous);
    return this.latency(metric === 'latency-p99' ? 0.99 : 0.5, this.current, this.previous);
  }

  private successRate(now: Scrape, before: Scrape): Reading {
    let total = 0;
    let errors = 0;
    for (const [key, s] of now.requests) {
      const d = counterDelta(s.n, before.requests.get(key)?.n);
      total += d;
      if (s.code.startsWith('5')) errors += d;
    }
    if (total === 0)
      return { kind: 'no-data', detail: `no requests to ${this.selector.workload} in the interval` };
    return {
      kind: 'value',
      value: (100 * (total - errors)) / total,
      detail: `${errors}/${total} answers 5xx`,
    };
  }

  private latency(q: number, now: Scrape, before: Scrape): Reading {
    const byLe = new Map<number, number>();
    for (const [key, b] of now.buckets) {
      byLe.set(b.le, (byLe.get(b.le) ?? 0) + counterDelta(b.n, before.buckets.get(key)?.n));
    }
    const buckets: Bucket[] = [...byLe].map(([le, count]) => ({ le, count }));
    const value = histogramQuantile(q, buckets);
    if (value === undefined)
      return { kind: 'no-data', detail: `no requests to ${this.selector.workload} in the interval` };
    const n = byLe.get(Infinity) ?? 0;
    return { kind: 'value', value, detail: `over ${n} requests` };
  }
}
