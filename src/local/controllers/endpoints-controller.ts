// Service → Endpoints (pkg/controller/endpoint): for every Service with a selector, one
// Endpoints object of the same name listing its pods — ready ones under `addresses`, the others
// under `notReadyAddresses` — with each Service port resolved against the pod (a named
// targetPort is looked up among the pod's container ports). Terminating and finished pods are
// left out, so a pod leaves its Services the moment its deletion starts.
import type { KubeObject, ObjectStore } from '../store/types.js';
import { isApiError } from '../store/api-error.js';
import { ENDPOINTS, PODS, SERVICES } from './kinds.js';
import { canonicalJson, matchesMap } from './object-helpers.js';
import { isPodReady, podPhase } from './pod-state.js';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

interface EndpointAddress {
  ip: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

interface Subset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports: Array<{ name?: string; port: number; protocol: string; appProtocol?: string }>;
}

export function reconcileEndpoints(store: ObjectStore, managed: Set<string>): void {
  const pods = store.list(PODS).items;
  const services = store.list(SERVICES).items;
  const wanted = new Set<string>();
  for (const svc of services) {
    const selector = (svc.spec as { selector?: Record<string, string> } | undefined)?.selector;
    if (!selector || Object.keys(selector).length === 0) continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    wanted.add(key);
    managed.add(key);
    const members = pods.filter(
      (p) => p.metadata.namespace === svc.metadata.namespace && matchesMap(p.metadata.labels, selector),
    );
    writeEndpoints(store, svc, endpointSubsets(svc, members));
  }
  // Endpoints we made for a Service that is gone (or lost its selector) go too.
  for (const key of [...managed]) {
    if (wanted.has(key)) continue;
    const [namespace, name] = key.split('/') as [string, string];
    managed.delete(key);
    const svc = store.get(SERVICES, namespace, name);
    if (svc) continue; // a Service without selector: its Endpoints belong to the user now
    try {
      store.delete(ENDPOINTS, namespace, name);
    } catch (err) {
      if (!(isApiError(err) && err.code === 404)) throw err;
    }
  }
}

function inEndpoints(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP;
  return Boolean(ip) && !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

function containerPort(pod: KubeObject, name: string, protocol: string): number | undefined {
  const containers =
    (
      pod.spec as {
        containers?: Array<{ ports?: Array<{ name?: string; containerPort: number; protocol?: string }> }>;
      }
    ).containers ?? [];
  for (const c of containers) {
    for (const p of c.ports ?? [])
      if (p.name === name && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

function endpointSubsets(svc: KubeObject, pods: KubeObject[]): Subset[] {
  const ports = ((svc.spec as { ports?: ServicePort[] }).ports ?? []) as ServicePort[];
  const groups = new Map<string, Subset>();
  for (const pod of pods.filter(inEndpoints)) {
    const resolved = ports.flatMap((sp) => {
      const protocol = sp.protocol ?? 'TCP';
      const target = sp.targetPort ?? sp.port;
      const port =
        typeof target === 'number'
          ? target
          : /^\d+$/.test(target)
            ? Number(target)
            : containerPort(pod, target, protocol);
      if (port === undefined) return [];
      return [
        {
          ...(sp.name ? { name: sp.name } : {}),
          port,
          protocol,
          ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
        },
      ];
    });
    if (ports.length > 0 && resolved.length === 0) continue;
    // Pods that resolve to the same ports share a subset (endpoints.RepackSubsets).
    const groupKey = canonicalJson(resolved);
    let subset = groups.get(groupKey);
    if (!subset) groups.set(groupKey, (subset = { ports: resolved }));
    const address = podAddress(pod);
    const list = isPodReady(pod) ? (subset.addresses ??= []) : (subset.notReadyAddresses ??= []);
    list.push(address);
  }
  for (const s of groups.values()) {
    s.addresses?.sort((a, b) => a.ip.localeCompare(b.ip));
    s.notReadyAddresses?.sort((a, b) => a.ip.localeCompare(b.ip));
  }
  return [...groups.values()];
}

function podAddress(pod: KubeObject): EndpointAddress {
  const nodeName = (pod.spec as { nodeName?: string }).nodeName;
  return {
    ip: (pod.status as { podIP: string }).podIP,
    ...(nodeName ? { nodeName } : {}),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace!,
      name: pod.metadata.name,
      uid: pod.metadata.uid!,
    },
  };
}

function writeEndpoints(store: ObjectStore, svc: KubeObject, subsets: Subset[]): void {
  const { namespace, name } = svc.metadata;
  const existing = store.get(ENDPOINTS, namespace, name);
  const metadata: KubeObject['metadata'] = { ...(existing?.metadata ?? { name, namespace }) };
  if (svc.metadata.labels && Object.keys(svc.metadata.labels).length)
    metadata.labels = { ...svc.metadata.labels };
  else delete metadata.labels;
  const body: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata,
    ...(subsets.length ? { subsets } : {}),
  };
  if (!existing) store.create(ENDPOINTS, body);
  else store.update(ENDPOINTS, body);
}
