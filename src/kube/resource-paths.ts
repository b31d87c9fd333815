// Maps apiVersion + kind to the REST path. The kinds cutover uses are known up front so that no
// request is spent on discovery; any other kind is looked up once per group-version with a
// discovery GET and cached for the client's life.

export interface ResourceInfo {
  /** Plural resource name, e.g. 'virtualservices'. */
  plural: string;
  namespaced: boolean;
}

const KNOWN: Record<string, ResourceInfo> = {
  Namespace: { plural: 'namespaces', namespaced: false },
  Pod: { plural: 'pods', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  Endpoints: { plural: 'endpoints', namespaced: true },
  Secret: { plural: 'secrets', namespaced: true },
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Event: { plural: 'events', namespaced: true },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  ReplicaSet: { plural: 'replicasets', namespaced: true },
  Lease: { plural: 'leases', namespaced: true },
  Gateway: { plural: 'gateways', namespaced: true },
  VirtualService: { plural: 'virtualservices', namespaced: true },
  DestinationRule: { plural: 'destinationrules', namespaced: true },
  HTTPRoute: { plural: 'httproutes', namespaced: true },
};

/** Groups whose kinds the table above covers (an unknown kind in them still goes to discovery). */
const KNOWN_GROUPS = new Set([
  '',
  'apps',
  'coordination.k8s.io',
  'networking.istio.io',
  'gateway.networking.k8s.io',
  'events.k8s.io',
]);

export function knownResource(apiVersion: string, kind: string): ResourceInfo | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (!KNOWN_GROUPS.has(group)) return undefined;
  return KNOWN[kind];
}

/** `/api/v1` or `/apis/apps/v1`. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** Collection path, e.g. /apis/apps/v1/namespaces/ns/deployments. namespace '' = all namespaces. */
export function collectionPath(apiVersion: string, info: ResourceInfo, namespace: string): string {
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(apiVersion)}${ns}/${info.plural}`;
}

export function objectPath(apiVersion: string, info: ResourceInfo, namespace: string, name: string): string {
  return `${collectionPath(apiVersion, info, namespace)}/${encodeURIComponent(name)}`;
}

/** Picks the kind out of a discovery document (APIResourceList). */
export function fromDiscovery(doc: unknown, kind: string): ResourceInfo | undefined {
  const resources = (doc as { resources?: Array<{ name: string; kind: string; namespaced: boolean }> })
    .resources;
  const hit = resources?.find((r) => r.kind === kind && !r.name.includes('/'));
  return hit ? { plural: hit.name, namespaced: hit.namespaced } : undefined;
}
