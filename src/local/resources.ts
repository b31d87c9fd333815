// The resource types the local cluster serves. One storage per resource; Istio kinds are served
// at v1, v1beta1 and v1alpha3 and Gateway API kinds at v1 and v1beta1 from the same storage
// (objects keep the apiVersion they are read at).
// Discovery, OpenAPI, Table output and routing all derive from this table.

export interface ResourceType {
  /** API group, '' for the core group. */
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  /** Plural resource name as in URLs, e.g. 'deployments'. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served, e.g. ['status', 'scale'] or ['log', 'exec']. */
  subresources?: string[];
  /** Custom resources: SMP gets 415, PUT needs a resourceVersion. */
  custom?: boolean;
  /** PUT without metadata.resourceVersion is rejected (Leases, custom resources). */
  requireResourceVersionOnUpdate?: boolean;
  /** PUT to a missing object creates it (Leases). */
  allowCreateOnUpdate?: boolean;
  /** Spec changes bump metadata.generation (kinds with a status subresource or a spec). */
  hasGeneration?: boolean;
}

const ISTIO_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'];
/** Gateway API's standard channel serves v1 and v1beta1 of these kinds from one storage (v1). */
const GATEWAY_API_VERSIONS = ['v1', 'v1beta1'];
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
const VERBS_ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export { VERBS_ALL };

export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: '',
    versions: ['v1'],
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    listKind: 'NamespaceList',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status'],
  },
  {
    group: '',
    versions: ['v1'],
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    listKind: 'PodList',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'attach', 'exec', 'log', 'portforward'],
  },
  {
    group: '',
    versions: ['v1'],
    resource: 'services',
    singular: 'service',
    kind: 'Service',
    listKind: 'ServiceList',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
  },
  {
    group: '',
    versions: ['v1'],
    resource: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    listKind: 'EndpointsList',
    namespaced: true,
    shortNames: ['ep'],
  },
  {
    group: '',
    versions: ['v1'],
    resource: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    listKind: 'SecretList',
    namespaced: true,
  },
  {
    group: '',
    versions: ['v1'],
    resource: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    listKind: 'ConfigMapList',
    namespaced: true,
    shortNames: ['cm'],
  },
  {
    group: '',
    versions: ['v1'],
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    listKind: 'EventList',
    namespaced: true,
    shortNames: ['ev'],
  },
  {
    group: 'apps',
    versions: ['v1'],
    resource: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    listKind: 'DeploymentList',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
  },
  {
    group: 'apps',
    versions: ['v1'],
    resource: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    listKind: 'ReplicaSetList',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasGeneration: true,
  },
  {
    group: 'coordination.k8s.io',
    versions: ['v1'],
    resource: 'leases',
    singular: 'lease',
    kind: 'Lease',
    listKind: 'LeaseList',
    namespaced: true,
    requireResourceVersionOnUpdate: true,
    allowCreateOnUpdate: true,
  },
  {
    group: 'networking.istio.io',
    versions: ISTIO_VERSIONS,
    resource: 'gateways',
    singular: 'gateway',
    kind: 'Gateway',
    listKind: 'GatewayList',
    namespaced: true,
    shortNames: ['gw'],
    categories: ['istio-io', 'networking-istio-io'],
    subresources: ['status'],
    custom: true,
    requireResourceVersionOnUpdate: true,
    hasGeneration: true,
  },
  {
    group: 'networking.istio.io',
    versions: ISTIO_VERSIONS,
    resource: 'virtualservices',
    singular: 'virtualservice',
    kind: 'VirtualService',
    listKind: 'VirtualServiceList',
    namespaced: true,
    shortNames: ['vs'],
    categories: ['istio-io', 'networking-istio-io'],
    subresources: ['status'],
    custom: true,
    requireResourceVersionOnUpdate: true,
    hasGeneration: true,
  },
  {
    group: 'networking.istio.io',
    versions: ISTIO_VERSIONS,
    resource: 'destinationrules',
    singular: 'destinationrule',
    kind: 'DestinationRule',
    listKind: 'DestinationRuleList',
    namespaced: true,
    shortNames: ['dr'],
    categories: ['istio-io', 'networking-istio-io'],
    subresources: ['status'],
    custom: true,
    requireResourceVersionOnUpdate: true,
    hasGeneration: true,
  },
  {
    group: GATEWAY_API_GROUP,
    versions: GATEWAY_API_VERSIONS,
    resource: 'gatewayclasses',
    singular: 'gatewayclass',
    kind: 'GatewayClass',
    listKind: 'GatewayClassList',
    namespaced: false,
    shortNames: ['gc'],
    categories: ['gateway-api'],
    subresources: ['status'],
    custom: true,
    requireResourceVersionOnUpdate: true,
    hasGeneration: true,
  },
  {
    group: GATEWAY_API_GROUP,
    versions: GATEWAY_API_VERSIONS,
    resource: 'gateways',
    singular: 'gateway',
    kind: 'Gateway',
    listKind: 'GatewayList',
    namespaced: true,
    shortNames: ['gtw'],
    categories: ['gateway-api'],
    subresources: ['status'],
    custom: true,
    requireResourceVersionOnUpdate: true,
    hasGeneration: true,
  },
  {
    group: GATEWAY_API_GROUP,
    versions: GATEWAY_API_VERSIONS,
    resource: 'httproutes',
    singular: 'httproute',
    kind: 'HTTPRoute',
    listKind: 'HTTPRouteList',
    namespaced: true,
    categories: ['gateway-api'],
    subresources: ['status'],
    custom: true,
    requireResourceVersionOnUpdate: true,
    hasGeneration: true,
  },
];

export function findResource(group: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((r) => r.group === group && r.resource === resource);
}

export function findKind(apiVersion: string, kind: string): ResourceType | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return RESOURCE_TYPES.find((r) => r.group === group && r.kind === kind && r.versions.includes(version!));
}

/** 'deployments.apps', 'pods', 'virtualservices.networking.istio.io': the name used in Status messages. */
export function qualifiedResource(r: ResourceType): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}
