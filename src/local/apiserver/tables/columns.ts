// Column definitions as the real server sends them (printers.go for built-ins, the CRDs'
// additionalPrinterColumns for Istio). priority 1 = shown only with `-o wide`.

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number' | 'boolean';
  format: string;
  description: string;
  priority: number;
}

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

function col(
  name: string,
  type: ColumnDefinition['type'],
  description: string,
  priority = 0,
  format = '',
): ColumnDefinition {
  return { name, type, format, description, priority };
}

export const NAME = col('Name', 'string', NAME_DESCRIPTION, 0, 'name');
export const AGE = col('Age', 'string', AGE_DESCRIPTION);
const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', 1);
const SELECTOR = col(
  'Selector',
  'string',
  'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
  1,
);

export const COLUMNS: Record<string, ColumnDefinition[]> = {
  Deployment: [
    NAME,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col(
      'Up-to-date',
      'string',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    col(
      'Available',
      'string',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  ReplicaSet: [
    NAME,
    col(
      'Desired',
      'integer',
      'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.',
    ),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    AGE,
    CONTAINERS,
    IMAGES,
    col('Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1),
  ],
  Pod: [
    NAME,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE,
    col(
      'IP',
      'string',
      'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      1,
    ),
    col(
      'Node',
      'string',
      'Name of the Node to which this pod is assigned. It is empty until the pod is scheduled.',
      1,
    ),
    col(
      'Nominated Node',
      'string',
      'nominatedNodeName is set when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
      1,
    ),
    col(
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness.',
      1,
    ),
  ],
  Service: [
    NAME,
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col(
      'Cluster-IP',
      'string',
      'clusterIP is the IP address of the service and is usually assigned randomly.',
    ),
    col(
      'External-IP',
      'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE,
    col(
      'Selector',
      'string',
      'Route service traffic to pods with label keys and values matching this selector.',
      1,
    ),
  ],
  Endpoints: [NAME, col('Endpoints', 'string', 'Endpoints of this resource.'), AGE],
  Namespace: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
  Secret: [
    NAME,
    col('Type', 'string', 'The type of the secret'),
    col('Data', 'string', 'The number of data entries in the secret'),
    AGE,
  ],
  ConfigMap: [NAME, col('Data', 'string', 'Number of data in configmap'), AGE],
  Event: [
    col('Last Seen', 'string', 'Time when this Event was last seen'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
    col(
      'Reason',
      'string',
      'This should be a short, machine understandable string that gives the reason for this event being generated.',
    ),
    col('Object', 'string', 'The object this Event is about.'),
    col('Subobject', 'string', 'The subobject this Event is about.', 1),
    col(
      'Source',
      'string',
      'The component reporting this event. Should be a short machine understandable string.',
      1,
    ),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded.', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    col('Name', 'string', NAME_DESCRIPTION, 1, 'name'),
  ],
  Lease: [
    NAME,
    col('Holder', 'string', 'HolderIdentity contains the identity of the holder of a current lease.'),
    AGE,
  ],
  VirtualService: [
    NAME,
    col('Gateways', 'string', 'The names of gateways and sidecars that should apply these routes'),
    col('Hosts', 'string', 'The destination hosts to which traffic is being sent'),
    col('Age', 'date', AGE_DESCRIPTION),
  ],
  DestinationRule: [
    NAME,
    col('Host', 'string', 'The name of a service from the service registry'),
    col('Age', 'date', AGE_DESCRIPTION),
  ],
  Gateway: [NAME, col('Age', 'date', AGE_DESCRIPTION)],
  // Gateway API CRDs' additionalPrinterColumns (keyed by group: their Gateway is not Istio's).
  'gateway.networking.k8s.io/GatewayClass': [
    NAME,
    col('Controller', 'string', ''),
    col('Accepted', 'string', ''),
    col('Age', 'date', AGE_DESCRIPTION),
    col('Description', 'string', '', 1),
  ],
  'gateway.networking.k8s.io/Gateway': [
    NAME,
    col('Class', 'string', ''),
    col('Address', 'string', ''),
    col('Programmed', 'string', ''),
    col('Age', 'date', AGE_DESCRIPTION),
  ],
  'gateway.networking.k8s.io/HTTPRoute': [
    NAME,
    col('Hostnames', 'string', ''),
    col('Age', 'date', AGE_DESCRIPTION),
  ],
};

/** Columns of a resource type: by `group/kind` where two groups share a kind name, else by kind. */
export function columnsFor(group: string, kind: string): ColumnDefinition[] | undefined {
  return COLUMNS[`${group}/${kind}`] ?? COLUMNS[kind];
}
