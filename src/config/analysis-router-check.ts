// The built-in metrics (success-rate, latency-p99, latency-p50) are Istio's request telemetry
// (istio_requests_total, istio_request_duration_milliseconds by destination_workload). Which
// router carries the traffic decides whether anything reports them; where nothing can, a built-in
// metric would only ever measure "no data" (inconclusive, then a rollback or a kept release after
// the whole analysis window), so it is refused before any write, naming the metric and the fix.
import { InputError } from '../errors.js';
import type { AnalysisConfig } from './analysis-types.js';
import type { CutoverConfig } from './types.js';

const OTHER_METRICS =
  'a `query` metric over metrics your app or data plane exports ({{color}} and {{release}} are filled in), a `webhook` or a `command`';

/** Why `router` cannot report the built-in metrics under this analysis config, or undefined when it can. */
function whyNoTelemetry(
  config: CutoverConfig,
  a: AnalysisConfig,
): { why: string; remedy: string } | undefined {
  const sidecars = a.provider === 'prometheus' && a.prometheus?.reporter === 'destination';
  if (config.router === 'service') {
    if (sidecars) return undefined;
    return {
      why: 'no proxy carries the traffic of router: service (users reach the pods through a Service), so nothing reports it',
      remedy: `use ${OTHER_METRICS}; or, with Istio sidecars in the app's pods, set analysis.provider: prometheus and analysis.prometheus.reporter: destination`,
    };
  }
  if (config.router !== 'gateway-api') return undefined;
  if (a.provider === 'gateway' && a.gatewayStatsUrl === undefined) {
    return {
      why: "the gateway provider would read them from the Gateway's listener, which serves the app, not the gateway's stats",
      remedy: `set analysis.gateway.address to the gateway's Istio stats URL (Istio's Gateway API gateways serve them on port 15090 of the gateway pods, http://<pod>:15090/stats/prometheus; the local cluster on the ingress gateway's /stats/prometheus), or set analysis.provider: prometheus, or use ${OTHER_METRICS}`,
    };
  }
  if (!sidecars && config.gateway.create && config.gateway.className !== 'istio') {
    return {
      why: `Gateway ${config.gateway.name} is of class ${config.gateway.className}, whose implementation does not report Istio's request metrics (only Istio's Gateway API gateways do)`,
      remedy: `use ${OTHER_METRICS} (e.g. a query over your gateway implementation's own upstream metrics); or use gateway.className: istio; or, with Istio sidecars in the app's pods, set analysis.prometheus.reporter: destination`,
    };
  }
  return undefined;
}

/** Throws InputError (exit 2) at the first built-in metric the router cannot report. */
export function checkAnalysisForRouter(config: CutoverConfig): void {
  const a = config.analysis;
  if (!a) return;
  const i = a.metrics.findIndex((m) => m.kind === 'builtin');
  if (i < 0) return;
  const problem = whyNoTelemetry(config, a);
  if (!problem) return;
  const field = `analysis.metrics[${i}].name`;
  throw new InputError(
    `"${a.metrics[i]!.name}" is a built-in metric from Istio's request telemetry, and with router: ${config.router} it could only ever measure "no data": ${problem.why}`,
    { file: config.file, field, remedy: problem.remedy },
  );
}
