// Label sets of Istio's standard metrics (istio_requests_total, istio_request_duration_milliseconds)
// as reported by the ingress gateway (reporter="source"). Built once per cluster/endpoint when the
// routing table is compiled, so the request path only appends the response code and flags.

export const GATEWAY_WORKLOAD = 'istio-ingressgateway';
export const GATEWAY_NAMESPACE = 'istio-system';

export interface DestinationLabels {
  destination_workload: string;
  destination_workload_namespace: string;
  destination_app: string;
  destination_version: string;
  destination_service: string;
  destination_service_name: string;
  destination_service_namespace: string;
  destination_subset: string;
}

export const UNKNOWN_DESTINATION: DestinationLabels = {
  destination_workload: 'unknown',
  destination_workload_namespace: 'unknown',
  destination_app: 'unknown',
  destination_version: 'unknown',
  destination_service: 'unknown',
  destination_service_name: 'unknown',
  destination_service_namespace: 'unknown',
  destination_subset: '',
};

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `reporter="source",…,destination_subset="blue"`: everything but response_code and response_flags. */
export function labelPrefix(d: DestinationLabels): string {
  const parts = [
    `reporter="source"`,
    `source_workload="${GATEWAY_WORKLOAD}"`,
    `source_workload_namespace="${GATEWAY_NAMESPACE}"`,
    `source_app="${GATEWAY_WORKLOAD}"`,
  ];
  for (const [k, v] of Object.entries(d)) parts.push(`${k}="${escapeLabel(v)}"`);
  parts.push(`request_protocol="http"`, `connection_security_policy="unknown"`);
  return parts.join(',');
}

export const UNKNOWN_PREFIX = labelPrefix(UNKNOWN_DESTINATION);

/** Parses a label text produced by labelPrefix (plus code and flags) back into an object. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-z_]+)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
  }
  return out;
}
