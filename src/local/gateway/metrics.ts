// Istio's standard request metrics in Prometheus text format, as the ingress gateway's Envoy
// exports them on :15090/stats/prometheus: istio_requests_total (counter) and
// istio_request_duration_milliseconds (histogram with Istio's default buckets).
import { parseLabels } from './metrics-labels.js';

/** Istio's default buckets for istio_request_duration_milliseconds. */
export const DURATION_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

interface Series {
  labels: string;
  count: number;
  sumMs: number;
  /** Non-cumulative per-bucket counts; the last slot is +Inf. */
  buckets: number[];
}

export interface RequestStat {
  labels: Record<string, string>;
  requests: number;
  durationSumMs: number;
}

export class GatewayMetrics {
  private readonly series = new Map<string, Series>();

  /** `prefix` comes precomputed from the cluster or endpoint; code 0 means no response was sent (DC). */
  record(prefix: string, code: number, flags: string, durationMs: number): void {
    const key = `${prefix},response_code="${code}",response_flags="${flags}"`;
    let s = this.series.get(key);
    if (s === undefined) {
      s = {
        labels: key,
        count: 0,
        sumMs: 0,
        buckets: new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0),
      };
      this.series.set(key, s);
    }
    s.count++;
    s.sumMs += durationMs;
    let i = 0;
    while (i < DURATION_BUCKETS_MS.length && durationMs > DURATION_BUCKETS_MS[i]!) i++;
    s.buckets[i]!++;
  }

  stats(): RequestStat[] {
    return [...this.series.values()].map((s) => ({
      labels: parseLabels(s.labels),
      requests: s.count,
      durationSumMs: s.sumMs,
    }));
  }

  render(): string {
    const lines = ['# TYPE istio_requests_total counter'];
    for (const s of this.series.values()) lines.push(`istio_requests_total{${s.labels}} ${s.count}`);
    lines.push('# TYPE istio_request_duration_milliseconds histogram');
    for (const s of this.series.values()) {
      let cumulative = 0;
      DURATION_BUCKETS_MS.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        lines.push(`istio_request_duration_milliseconds_bucket{${s.labels},le="${le}"} ${cumulative}`);
      });
      lines.push(`istio_request_duration_milliseconds_bucket{${s.labels},le="+Inf"} ${s.count}`);
      lines.push(`istio_request_duration_milliseconds_sum{${s.labels}} ${Number(s.sumMs.toFixed(3))}`);
      lines.push(`istio_request_duration_milliseconds_count{${s.labels}} ${s.count}`);
    }
    return lines.join('\n') + '\n';
  }
}
