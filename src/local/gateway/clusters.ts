// Envoy clusters as Istio builds them for the ingress gateway: `outbound|<port>|<subset>|<fqdn>`.
// A cluster exists for every Service port, and for every DestinationRule subset of that Service;
// a route naming anything else points at a cluster that does not exist (503 NC).
// Subset endpoints = the Service's ready endpoints ∩ pods whose labels contain the subset's labels.
import type { KubeObject } from '../store/types.js';
import {
  asArray,
  asRecord,
  asStringMap,
  byCreation,
  specOf,
  visibleFrom,
  type ConfigView,
} from './config-view.js';
import {
  GATEWAY_NAMESPACE,
  labelPrefix,
  UNKNOWN_DESTINATION,
  type DestinationLabels,
} from './metrics-labels.js';
import type { ConfigReporter } from './not-emulated.js';

export const CLUSTER_DOMAIN = 'svc.cluster.local';

export interface Endpoint {
  address: string;
  port: number;
  /** Metric labels of requests served by this endpoint. */
  metrics: string;
}

export interface Cluster {
  name: string;
  subset: string;
  endpoints: Endpoint[];
  /** Round-robin cursor, shared by every route of one routing-table version. */
  cursor: number;
  /** Metric labels of requests that reached this cluster but no endpoint (UH). */
  metrics: string;
}

/** Istio ResolveShortnameToFQDN: only names without a dot get `<ns>.svc.cluster.local`. */
export function resolveHost(host: string, namespace: string): string {
  if (host === '*' || host.includes('.') || host.includes(':')) return host.toLowerCase();
  return `${host}.${namespace}.${CLUSTER_DOMAIN}`.toLowerCase();
}

function serviceOf(view: ConfigView, fqdn: string): KubeObject | undefined {
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  if (parts.length !== 2) return undefined;
  return view.services.get(`${parts[1]}/${parts[0]}`);
}

interface ServicePort {
  name: string;
  port: number;
}

function servicePorts(svc: KubeObject): ServicePort[] {
  return asArray(specOf(svc).ports).flatMap((p) => {
    const r = asRecord(p);
    return r && typeof r.port === 'number'
      ? [{ name: typeof r.name === 'string' ? r.name : '', port: r.port }]
      : [];
  });
}

interface Subset {
  name: string;
  labels: Record<string, string>;
}

export class ClusterRegistry {
  private readonly clusters = new Map<string, Cluster | null>();
  private readonly drByHost = new Map<string, KubeObject[]>();

  constructor(
    private readonly view: ConfigView,
    private readonly reporter: ConfigReporter,
  ) {
    const rules = [...view.destinationrules.values()]
      .filter((dr) => visibleFrom(dr, GATEWAY_NAMESPACE))
      .sort(byCreation);
    for (const dr of rules) {
      const host = specOf(dr).host;
      if (typeof host !== 'string' || host === '') continue;
      const key = `${dr.metadata.namespace}|${resolveHost(host, dr.metadata.namespace ?? '')}`;
      const list = this.drByHost.get(key) ?? [];
      list.push(dr);
      this.drByHost.set(key, list);
    }
  }

  /**
   * The cluster a route destination names, or undefined when Envoy would not have it (NC).
   * `port` is destination.port.number; without it, a single-port Service's port, else the server port.
   */
  resolve(
    fqdn: string,
    port: number | undefined,
    subset: string,
    serverPort: number,
  ): { name: string; cluster?: Cluster } {
    const svc = serviceOf(this.view, fqdn);
    const ports = svc ? servicePorts(svc) : [];
    const number = port ?? (ports.length === 1 ? ports[0]!.port : serverPort);
    const name = `outbound|${number}|${subset}|${fqdn}`;
    let cluster = this.clusters.get(name);
    if (cluster === undefined) {
      cluster = svc
        ? this.build(
            name,
            svc,
            fqdn,
            ports.find((p) => p.port === number),
            subset,
          )
        : null;
      this.clusters.set(name, cluster);
    }
    return { name, cluster: cluster ?? undefined };
  }

  /** Metric labels for a destination whose cluster does not exist (NC). */
  unknownMetrics(fqdn: string, subset: string): string {
    const suffix = `.${CLUSTER_DOMAIN}`;
    const parts = fqdn.endsWith(suffix) ? fqdn.slice(0, -suffix.length).split('.') : [];
    return labelPrefix({
      ...UNKNOWN_DESTINATION,
      destination_service: fqdn || 'unknown',
      destination_service_name: parts.length === 2 ? parts[0]! : fqdn || 'unknown',
      destination_service_namespace: parts.length === 2 ? parts[1]! : 'unknown',
      destination_subset: subset,
    });
  }

  private build(
    name: string,
    svc: KubeObject,
    fqdn: string,
    port: ServicePort | undefined,
    subsetName: string,
  ): Cluster | null {
    if (!port) return null;
    let subset: Subset | undefined;
    if (subsetName !== '') {
      subset = this.subsets(svc, fqdn).find((s) => s.name === subsetName);
      if (!subset) return null;
    }
    const base: DestinationLabels = {
      destination_workload: 'unknown',
      destination_workload_namespace: svc.metadata.namespace ?? '',
      destination_app: 'unknown',
      destination_version: subsetName || 'unknown',
      destination_service: fqdn,
      destination_service_name: svc.metadata.name,
      destination_service_namespace: svc.metadata.namespace ?? '',
      destination_subset: subsetName,
    };
    const endpoints = this.endpoints(svc, port, subset, base);
    return { name, subset: subsetName, endpoints, cursor: 0, metrics: labelPrefix(base) };
  }

  /**
   * DestinationRule lookup for a proxy in istio-system: rules in the proxy's namespace first, then
   * in the Service's namespace (the root namespace is istio-system too). Several rules for the same
   * host in one namespace are merged; for a duplicate subset name the oldest definition wins.
   */
  private subsets(svc: KubeObject, fqdn: string): Subset[] {
    for (const ns of [GATEWAY_NAMESPACE, svc.metadata.namespace ?? '']) {
      const rules = this.rulesFor(ns, fqdn);
      if (rules.length === 0) continue;
      const out: Subset[] = [];
      for (const dr of rules) {
        for (const raw of asArray(specOf(dr).subsets)) {
          const s = asRecord(raw);
          if (!s || typeof s.name !== 'string') continue;
          if (out.some((o) => o.name === s.name)) {
            this.reporter.problem(
              'DestinationRule',
              dr.metadata.namespace ?? '',
              dr.metadata.name,
              `subset ${s.name} is already defined for host ${fqdn} by an older DestinationRule; the older definition is used`,
            );
            continue;
          }
          out.push({ name: s.name, labels: asStringMap(s.labels) });
        }
      }
      return out;
    }
    return [];
  }

  private rulesFor(ns: string, fqdn: string): KubeObject[] {
    const exact = this.drByHost.get(`${ns}|${fqdn}`);
    if (exact) return exact;
    let best: { len: number; rules: KubeObject[] } | undefined;
    for (const [key, rules] of this.drByHost) {
      const [keyNs, host] = key.split('|') as [string, string];
      if (keyNs !== ns || !host.startsWith('*') || !fqdn.endsWith(host.slice(1))) continue;
      if (!best || host.length > best.len) best = { len: host.length, rules };
    }
    return best?.rules ?? [];
  }

  private endpoints(
    svc: KubeObject,
    port: ServicePort,
    subset: Subset | undefined,
    base: DestinationLabels,
  ): Endpoint[] {
    const ns = svc.metadata.namespace ?? '';
    const eps = this.view.endpoints.get(`${ns}/${svc.metadata.name}`);
    const out: Endpoint[] = [];
    for (const rawSubset of asArray(eps?.subsets)) {
      const s = asRecord(rawSubset);
      const ports = asArray(s?.ports)
        .map(asRecord)
        .filter((p): p is Record<string, unknown> => p !== undefined);
      const match =
        port.name !== ''
          ? ports.find((p) => p.name === port.name)
          : ports.length === 1
            ? ports[0]
            : ports.find((p) => !p.name);
      if (!match || typeof match.port !== 'number') continue;
      for (const rawAddr of asArray(s?.addresses)) {
        const addr = asRecord(rawAddr);
        if (!addr || typeof addr.ip !== 'string') continue;
        const pod = this.podOf(asRecord(addr.targetRef), ns);
        if (pod?.metadata.deletionTimestamp) continue;
        const labels = pod?.metadata.labels ?? {};
        if (subset && !Object.entries(subset.labels).every(([k, v]) => labels[k] === v)) continue;
        out.push({ address: addr.ip, port: match.port, metrics: labelPrefix(endpointLabels(base, pod)) });
      }
    }
    return out;
  }

  private podOf(ref: Record<string, unknown> | undefined, ns: string): KubeObject | undefined {
    if (!ref || ref.kind !== 'Pod' || typeof ref.name !== 'string') return undefined;
    return this.view.pods.get(`${typeof ref.namespace === 'string' ? ref.namespace : ns}/${ref.name}`);
  }
}

/** Istio takes the version from the pod's `version` label; the local cluster falls back to the subset, then `color`. */
function endpointLabels(base: DestinationLabels, pod: KubeObject | undefined): DestinationLabels {
  if (!pod) return base;
  const labels = pod.metadata.labels ?? {};
  return {
    ...base,
    destination_workload: workloadName(pod),
    destination_app: labels.app ?? labels['app.kubernetes.io/name'] ?? 'unknown',
    destination_version:
      labels.version ??
      labels['app.kubernetes.io/version'] ??
      (base.destination_subset || labels.color || 'unknown'),
  };
}

/** The Deployment name for a pod of a ReplicaSet (`web-blue-5d8f7c9b6d-x2x9z` → `web-blue`), else the pod name. */
function workloadName(pod: KubeObject): string {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (owner?.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`))
    return owner.name.slice(0, -hash.length - 1);
  return owner?.name ?? pod.metadata.name;
}
