// What the real API server fills in when it admits an object (defaulting and PrepareForCreate):
// status reset on create, namespace phase, pod spec defaults, Service ClusterIP allocation and
// Deployment strategy. Clients see these in `kubectl get -o yaml` and `describe`.
import { podDefaults, podTemplateSpecDefaults, type PodSpec } from '../controllers/defaults.js';
import { findResource } from '../resources.js';
import type { KubeObject, ObjectStore } from '../store/types.js';

type Json = Record<string, unknown>;

/** Status a client sends on create is not stored for kinds with a status subresource. */
export function resetStatusOnCreate(obj: KubeObject, hasStatusSubresource: boolean): void {
  if (obj.kind === 'Pod') obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
  else if (obj.kind === 'Namespace') obj.status = { phase: 'Active' };
  else if (obj.kind === 'Service') obj.status = { loadBalancer: {} };
  else if (hasStatusSubresource) delete obj.status;
}

export function applyDefaults(obj: KubeObject, store: ObjectStore): void {
  switch (obj.kind) {
    case 'Namespace':
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
      obj.spec = { finalizers: ['kubernetes'], ...(obj.spec as Json | undefined) };
      break;
    case 'Pod':
      if (isObject(obj.spec) && Array.isArray((obj.spec as Json).containers))
        obj.spec = podDefaults(obj.spec as unknown as PodSpec);
      break;
    case 'Deployment':
      if (isObject(obj.spec)) defaultDeployment(obj.spec as Json);
      break;
    case 'ReplicaSet':
      if (isObject(obj.spec)) defaultReplicaSet(obj.spec as Json);
      break;
    case 'Service':
      if (isObject(obj.spec)) defaultService(obj, obj.spec as Json, store);
      break;
    case 'Secret':
      mergeStringData(obj);
      if (obj.type === undefined || obj.type === '') obj.type = 'Opaque';
      break;
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function defaultTemplate(spec: Json): void {
  const template = spec.template;
  if (!isObject(template) || !isObject(template.spec) || !Array.isArray(template.spec.containers)) return;
  template.spec = podTemplateSpecDefaults(template.spec as unknown as PodSpec);
}

function defaultDeployment(spec: Json): void {
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  const strategy = isObject(spec.strategy) ? spec.strategy : {};
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = isObject(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
    ru.maxSurge ??= '25%';
    ru.maxUnavailable ??= '25%';
    strategy.rollingUpdate = ru;
  }
  spec.strategy = strategy;
  defaultTemplate(spec);
}

function defaultReplicaSet(spec: Json): void {
  spec.replicas ??= 1;
  defaultTemplate(spec);
}

function defaultService(obj: KubeObject, spec: Json, store: ObjectStore): void {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (Array.isArray(spec.ports)) {
    spec.ports = spec.ports.map((p: unknown) =>
      isObject(p) ? { protocol: 'TCP', ...p, targetPort: p.targetPort ?? p.port } : p,
    );
  }
  if (spec.type !== 'ExternalName' && spec.clusterIP === undefined) {
    spec.clusterIP = allocateClusterIp(obj, store);
  }
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '') {
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
}

// Deterministic from the name, probing past addresses in use, inside 10.96.0.0/16.
function allocateClusterIp(obj: KubeObject, store: ObjectStore): string {
  const services = findResource('', 'services')!;
  const used = new Set(store.list(services).items.map((s) => (s.spec as Json | undefined)?.clusterIP));
  let h = 0;
  for (const ch of `${obj.metadata.namespace}/${obj.metadata.name}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  for (let i = 0; i < 65_000; i++) {
    const n = ((h + i) % 65_000) + 10;
    const ip = `10.96.${n >> 8}.${n & 255}`;
    if (!used.has(ip) && (n & 255) !== 0 && (n & 255) !== 255) return ip;
  }
  return 'None';
}

// The real server folds stringData into data when it decodes a v1 Secret
// (Convert_v1_Secret_To_core_Secret), on create, update and every kind of patch alike; stringData
// wins over data for the same key and is never stored. A value that is not a string is left for
// validation to reject.
function mergeStringData(obj: KubeObject): void {
  const stringData = obj.stringData;
  if (stringData === undefined || stringData === null) {
    delete obj.stringData;
    return;
  }
  if (!isObject(stringData)) return;
  const entries = Object.entries(stringData as Json);
  if (entries.some(([, v]) => typeof v !== 'string')) return;
  delete obj.stringData;
  if (entries.length === 0) return;
  const data: Json = isObject(obj.data) ? { ...(obj.data as Json) } : {};
  for (const [key, value] of entries) data[key] = Buffer.from(value as string, 'utf8').toString('base64');
  obj.data = data;
}
