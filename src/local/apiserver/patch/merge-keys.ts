// Where lists merge instead of being replaced, for the built-in kinds the local cluster serves.
// The source of truth is the `patchStrategy`/`patchMergeKey` struct tags of k8s.io/api core/v1
// and apps/v1 (and the matching `listType=map` keys that server-side apply uses). Paths are field
// names from the object root, without list indices.

export type ListStrategy = { type: 'merge'; key: string } | { type: 'set' } | { type: 'replace' };

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

const CONTAINER_FIELDS: Record<string, string> = {
  ports: 'containerPort',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  resizePolicy: 'resourceName',
};

const POD_SPEC_FIELDS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  resourceClaims: 'name',
  schedulingGates: 'name',
  topologySpreadConstraints: 'topologyKey',
};

/** Paths (joined by '.') of maps whose `$retainKeys` directive or apply semantics clear unlisted keys. */
const RETAIN_KEYS_PATHS = new Set(['spec.strategy', 'spec.template.spec.volumes', 'spec.volumes']);

export function listStrategy(kind: string, path: string[]): ListStrategy {
  const n = path.length;
  const last = path[n - 1] ?? '';
  const parent = path[n - 2] ?? '';
  if (parent === 'metadata' && last === 'finalizers') return { type: 'set' };
  if (parent === 'metadata' && last === 'ownerReferences') return { type: 'merge', key: 'uid' };
  if (parent === 'status' && last === 'conditions') return { type: 'merge', key: 'type' };
  if (parent === 'status' && (last === 'podIPs' || last === 'hostIPs')) return { type: 'merge', key: 'ip' };
  if (CONTAINER_LISTS.has(parent) && CONTAINER_FIELDS[last])
    return { type: 'merge', key: CONTAINER_FIELDS[last]! };
  if (parent === 'spec' && isPodSpecPath(kind, path) && POD_SPEC_FIELDS[last])
    return { type: 'merge', key: POD_SPEC_FIELDS[last]! };
  if (kind === 'Service' && n === 2 && parent === 'spec' && last === 'ports')
    return { type: 'merge', key: 'port' };
  return { type: 'replace' };
}

/** `spec` of a Pod, or `spec.template.spec` of a workload. */
function isPodSpecPath(kind: string, path: string[]): boolean {
  if (path.length === 2) return kind === 'Pod';
  return path.length === 4 && path[0] === 'spec' && path[1] === 'template';
}

export function hasRetainKeys(path: string[]): boolean {
  return RETAIN_KEYS_PATHS.has(path.join('.'));
}
