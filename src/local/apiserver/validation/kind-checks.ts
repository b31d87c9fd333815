// Per-kind rules besides workloads: Service ports and type, Lease durations, ConfigMap and
// Secret keys, Secret type. Each returns causes in the real server's wording.
import {
  duplicate,
  forbidden,
  invalidValue,
  notSupported,
  portRange,
  required,
  tooLong,
  type Cause,
} from './field-errors.js';
import { checkLabels, isRecord } from './meta-checks.js';
import { isConfigMapKey, isDns1123Label, isValidPortName } from './names.js';
import { asList } from './pod-spec-checks.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_DATA_BYTES = 1024 * 1024;

export function checkService(spec: unknown, old?: Record<string, unknown>): Cause[] {
  const s = isRecord(spec) ? spec : {};
  const type = s.type ?? 'ClusterIP';
  const causes: Cause[] = [];
  if (!SERVICE_TYPES.includes(String(type))) causes.push(notSupported('spec.type', type, SERVICE_TYPES));
  const ports = asList(s.ports);
  if (ports.length === 0 && type !== 'ExternalName' && s.clusterIP !== 'None')
    causes.push(required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((port, i) =>
    causes.push(...checkServicePort(port, `spec.ports[${i}]`, ports.length > 1, names)),
  );
  causes.push(...checkLabels(s.selector, 'spec.selector'));
  const oldSpec = old && isRecord(old.spec) ? old.spec : undefined;
  const oldIp = oldSpec?.clusterIP;
  if (
    typeof oldIp === 'string' &&
    oldIp !== '' &&
    typeof s.clusterIP === 'string' &&
    s.clusterIP !== '' &&
    s.clusterIP !== oldIp
  ) {
    causes.push(invalidValue('spec.clusterIP', s.clusterIP, 'field is immutable'));
  }
  return causes;
}

function checkServicePort(port: unknown, path: string, multi: boolean, names: Set<string>): Cause[] {
  if (!isRecord(port)) return [];
  const causes: Cause[] = [];
  const name = port.name;
  if (typeof name === 'string' && name !== '') {
    for (const msg of isDns1123Label(name)) causes.push(invalidValue(`${path}.name`, name, msg));
    if (names.has(name)) causes.push(duplicate(`${path}.name`, name));
    names.add(name);
  } else if (multi) causes.push(required(`${path}.name`));
  causes.push(...portRange(`${path}.port`, port.port ?? 0));
  if (port.protocol !== undefined && !PROTOCOLS.includes(String(port.protocol)))
    causes.push(notSupported(`${path}.protocol`, port.protocol, PROTOCOLS));
  const target = port.targetPort;
  if (typeof target === 'number' && target !== 0) causes.push(...portRange(`${path}.targetPort`, target));
  if (typeof target === 'string')
    for (const msg of isValidPortName(target)) causes.push(invalidValue(`${path}.targetPort`, target, msg));
  return causes;
}

export function checkLease(spec: unknown): Cause[] {
  if (!isRecord(spec)) return [];
  const causes: Cause[] = [];
  const duration = spec.leaseDurationSeconds;
  if (typeof duration === 'number' && duration <= 0)
    causes.push(invalidValue('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = spec.leaseTransitions;
  if (typeof transitions === 'number' && transitions < 0)
    causes.push(invalidValue('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  return causes;
}

/** ConfigMap `data`/`binaryData` and Secret `data`/`stringData`: valid keys, no key in both, 1 MiB in total. */
export function checkDataKeys(obj: Record<string, unknown>, fields: [string, string]): Cause[] {
  const causes: Cause[] = [];
  let size = 0;
  const seen = new Set<string>();
  for (const field of fields) {
    const data = obj[field];
    if (!isRecord(data)) continue;
    for (const [key, value] of Object.entries(data)) {
      for (const msg of isConfigMapKey(key)) causes.push(invalidValue(`${field}[${key}]`, key, msg));
      if (seen.has(key) && fields[0] === 'data' && field === 'binaryData')
        causes.push(duplicate(`${field}[${key}]`, key));
      seen.add(key);
      size += typeof value === 'string' ? value.length : 0;
    }
  }
  if (size > MAX_DATA_BYTES) causes.push(tooLong(fields[0], MAX_DATA_BYTES));
  return causes;
}

export function checkSecret(obj: Record<string, unknown>, old?: Record<string, unknown>): Cause[] {
  const causes = checkDataKeys(obj, ['data', 'stringData']);
  const type = obj.type ?? 'Opaque';
  if (old && (old.type ?? 'Opaque') !== type) causes.push(invalidValue('type', type, 'field is immutable'));
  if (
    type === 'kubernetes.io/dockerconfigjson' &&
    !(isRecord(obj.data) && '.dockerconfigjson' in obj.data) &&
    !(isRecord(obj.stringData) && '.dockerconfigjson' in obj.stringData)
  ) {
    causes.push(required('data[.dockerconfigjson]'));
  }
  causes.push(...checkImmutableData(obj, old, ['data', 'stringData']));
  return causes;
}

export function checkConfigMap(obj: Record<string, unknown>, old?: Record<string, unknown>): Cause[] {
  return [
    ...checkDataKeys(obj, ['data', 'binaryData']),
    ...checkImmutableData(obj, old, ['data', 'binaryData']),
  ];
}

function checkImmutableData(
  obj: Record<string, unknown>,
  old: Record<string, unknown> | undefined,
  fields: string[],
): Cause[] {
  if (!old || old.immutable !== true) return [];
  const causes: Cause[] = [];
  if (obj.immutable !== true)
    causes.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (f === 'stringData') continue;
    if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {}))
      causes.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return causes;
}
