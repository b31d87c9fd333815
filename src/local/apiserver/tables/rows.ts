// Cells per kind, in the order of COLUMNS (including the wide ones: kubectl hides them).
import { ageSince } from './age.js';
import {
  containersAndImages,
  formatLabelSelector,
  formatLabels,
  int,
  list,
  record,
  str,
  type Json,
} from './format.js';
import { podCells, readinessGates } from './pod-status.js';

type Cell = string | number | null;
type RowFn = (obj: Json, now: Date) => Cell[];

const age = (obj: Json, now: Date) => ageSince(record(obj.metadata).creationTimestamp, now);
const name = (obj: Json) => str(record(obj.metadata).name);

function workloadWide(spec: Json): Cell[] {
  const { names, images } = containersAndImages(record(record(spec.template).spec));
  return [names, images, formatLabelSelector(spec.selector)];
}

function deployment(obj: Json, now: Date): Cell[] {
  const spec = record(obj.spec);
  const status = record(obj.status);
  const desired = spec.replicas === undefined ? 1 : int(spec.replicas);
  return [
    name(obj),
    `${int(status.readyReplicas)}/${desired}`,
    int(status.updatedReplicas),
    int(status.availableReplicas),
    age(obj, now),
    ...workloadWide(spec),
  ];
}

function replicaSet(obj: Json, now: Date): Cell[] {
  const spec = record(obj.spec);
  const status = record(obj.status);
  const desired = spec.replicas === undefined ? 1 : int(spec.replicas);
  return [
    name(obj),
    desired,
    int(status.replicas),
    int(status.readyReplicas),
    age(obj, now),
    ...workloadWide(spec),
  ];
}

function pod(obj: Json, now: Date): Cell[] {
  const cells = podCells(obj, now);
  const status = record(obj.status);
  return [
    name(obj),
    cells.ready,
    cells.status,
    cells.restarts,
    age(obj, now),
    str(status.podIP, '<none>'),
    str(record(obj.spec).nodeName, '<none>'),
    str(status.nominatedNodeName, '<none>'),
    readinessGates(obj),
  ];
}

function service(obj: Json, now: Date): Cell[] {
  const spec = record(obj.spec);
  const type = str(spec.type, 'ClusterIP');
  return [
    name(obj),
    type,
    str(spec.clusterIP, '<none>'),
    externalIp(spec, record(obj.status), type),
    portsString(spec),
    age(obj, now),
    formatLabels(spec.selector),
  ];
}

function externalIp(spec: Json, status: Json, type: string): string {
  const external = list(spec.externalIPs).map(String);
  if (type === 'ExternalName') return str(spec.externalName, '<none>');
  if (type === 'LoadBalancer') {
    const ingress = list(record(status.loadBalancer).ingress)
      .map((i) => str(record(i).ip) || str(record(i).hostname))
      .filter(Boolean);
    const all = [...ingress, ...external];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return external.length > 0 ? external.join(',') : '<none>';
}

function portsString(spec: Json): string {
  const ports = list(spec.ports).map(record);
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) =>
      int(p.nodePort)
        ? `${int(p.port)}:${int(p.nodePort)}/${str(p.protocol, 'TCP')}`
        : `${int(p.port)}/${str(p.protocol, 'TCP')}`,
    )
    .join(',');
}

/** formatEndpoints: up to three `ip:port`, then ` + N more...`. */
function endpoints(obj: Json, now: Date): Cell[] {
  const shown: string[] = [];
  let count = 0;
  for (const subset of list(obj.subsets).map(record)) {
    const addresses = list(subset.addresses).map((a) => str(record(a).ip));
    const ports = list(subset.ports).map((p) => int(record(p).port));
    for (const port of ports.length > 0 ? ports : [undefined]) {
      for (const ip of addresses) {
        if (shown.length < 3) shown.push(port === undefined ? ip : `${ip}:${port}`);
        count++;
      }
    }
  }
  const cell =
    count === 0
      ? '<none>'
      : shown.join(',') + (count > shown.length ? ` + ${count - shown.length} more...` : '');
  return [name(obj), cell, age(obj, now)];
}

function event(obj: Json, now: Date): Cell[] {
  const involved = record(obj.involvedObject);
  const series = record(obj.series);
  const last =
    str(series.lastObservedTime) ||
    str(obj.lastTimestamp) ||
    str(obj.eventTime) ||
    str(record(obj.metadata).creationTimestamp);
  const first = str(obj.firstTimestamp) || str(obj.eventTime) || str(record(obj.metadata).creationTimestamp);
  const source = record(obj.source);
  const sourceText = str(source.component)
    ? [str(source.component), str(source.host)].filter(Boolean).join(', ')
    : str(obj.reportingComponent);
  return [
    ageSince(last, now),
    str(obj.type),
    str(obj.reason),
    `${str(involved.kind).toLowerCase()}/${str(involved.name)}`,
    str(involved.fieldPath),
    sourceText,
    str(obj.message),
    ageSince(first, now),
    int(obj.count) || 1,
    name(obj),
  ];
}

/** CRD printer columns print non-string JSONPath results as JSON (`["myapp-gateway"]`); a missing value is a null cell (`<none>`). */
function jsonCell(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export const ROWS: Record<string, RowFn> = {
  Deployment: deployment,
  ReplicaSet: replicaSet,
  Pod: pod,
  Service: service,
  Endpoints: endpoints,
  Namespace: (o, now) => [name(o), str(record(o.status).phase, 'Active'), age(o, now)],
  Secret: (o, now) => [name(o), str(o.type, 'Opaque'), Object.keys(record(o.data)).length, age(o, now)],
  ConfigMap: (o, now) => [
    name(o),
    Object.keys(record(o.data)).length + Object.keys(record(o.binaryData)).length,
    age(o, now),
  ],
  Event: event,
  Lease: (o, now) => [name(o), str(record(o.spec).holderIdentity), age(o, now)],
  VirtualService: (o, now) => [
    name(o),
    jsonCell(record(o.spec).gateways),
    jsonCell(record(o.spec).hosts),
    age(o, now),
  ],
  DestinationRule: (o, now) => [name(o), jsonCell(record(o.spec).host), age(o, now)],
  Gateway: (o, now) => [name(o), age(o, now)],
  'gateway.networking.k8s.io/GatewayClass': (o, now) => [
    name(o),
    jsonCell(record(o.spec).controllerName),
    conditionStatus(o, 'Accepted'),
    age(o, now),
    jsonCell(record(o.spec).description),
  ],
  'gateway.networking.k8s.io/Gateway': (o, now) => {
    const addresses = Array.isArray(record(o.status).addresses)
      ? (record(o.status).addresses as unknown[]).map((a) => record(a).value).filter((v) => v !== undefined)
      : [];
    return [
      name(o),
      jsonCell(record(o.spec).gatewayClassName),
      addresses.length ? addresses.map(String).join(',') : null,
      conditionStatus(o, 'Programmed'),
      age(o, now),
    ];
  },
  'gateway.networking.k8s.io/HTTPRoute': (o, now) => [
    name(o),
    jsonCell(record(o.spec).hostnames),
    age(o, now),
  ],
};

/** `.status.conditions[?(@.type=="T")].status`, or a null cell. */
function conditionStatus(o: Json, type: string): string | null {
  const conditions = record(o.status).conditions;
  const hit = Array.isArray(conditions) ? conditions.find((c) => record(c).type === type) : undefined;
  return hit ? jsonCell(record(hit).status) : null;
}

/** Row cells of a resource type: by `group/kind` where two groups share a kind name, else by kind. */
export function rowsFor(group: string, kind: string): RowFn | undefined {
  return ROWS[`${group}/${kind}`] ?? ROWS[kind];
}
