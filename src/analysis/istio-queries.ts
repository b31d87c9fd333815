// The built-in metrics as PromQL over Istio's standard metrics, with Istio's real label names:
// istio_requests_total and istio_request_duration_milliseconds_bucket by reporter,
// destination_workload (the color's Deployment), destination_workload_namespace and, when the pods
// carry a `version` label, destination_version (the release on that color). As Flagger's
// request-success-rate / request-duration, but per color, and by default from the ingress
// gateway's view (reporter="source"): what users saw, and it works without sidecars in the app.
import type { BuiltinMetricName } from '../config/analysis-types.js';

export interface SeriesSelector {
  reporter: 'source' | 'destination';
  namespace: string;
  workload: string;
  /** destination_version: only this release's requests, when the pods carry a `version` label. */
  version?: string;
}

function labels(s: SeriesSelector, extra = ''): string {
  const q = (v: string) => JSON.stringify(v);
  const version = s.version === undefined ? '' : `,destination_version=${q(s.version)}`;
  return `{reporter=${q(s.reporter)},destination_workload_namespace=${q(s.namespace)},destination_workload=${q(s.workload)}${version}${extra}}`;
}

export function builtinQuery(name: BuiltinMetricName, s: SeriesSelector, windowSeconds: number): string {
  const w = `[${windowSeconds}s]`;
  if (name === 'success-rate') {
    return (
      `sum(rate(istio_requests_total${labels(s, ',response_code!~"5.*"')}${w})) / ` +
      `sum(rate(istio_requests_total${labels(s)}${w})) * 100`
    );
  }
  const q = name === 'latency-p99' ? '0.99' : '0.5';
  return `histogram_quantile(${q}, sum(rate(istio_request_duration_milliseconds_bucket${labels(s)}${w})) by (le))`;
}

export const BUILTIN_UNITS: Record<BuiltinMetricName, string> = {
  'success-rate': '%',
  'latency-p99': 'ms',
  'latency-p50': 'ms',
};
