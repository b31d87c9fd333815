// PodSpec rules (ValidatePodSpec, ValidateContainers) that the OpenAPI schema cannot express:
// names, images, ports, env, volume mounts, restart policy.
import {
  duplicate,
  invalidValue,
  notFound,
  notSupported,
  portRange,
  required,
  type Cause,
} from './field-errors.js';
import { isRecord } from './meta-checks.js';
import { isDns1123Label, isValidPortName } from './names.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const RESTART_POLICIES = ['Always', 'Never', 'OnFailure'];

/** `template`: the pod template of a workload, whose restartPolicy must be Always. */
export function checkPodSpec(spec: unknown, path: string, template: boolean): Cause[] {
  if (!isRecord(spec)) return [required(`${path}.containers`)];
  const volumes = new Set(asList(spec.volumes).map((v) => (isRecord(v) ? v.name : undefined)));
  const causes = [
    ...checkContainers(spec.containers, `${path}.containers`, volumes, true),
    ...checkContainers(spec.initContainers, `${path}.initContainers`, volumes, false),
    ...checkVolumes(spec.volumes, `${path}.volumes`),
  ];
  const policy = spec.restartPolicy;
  if (template && policy !== undefined && policy !== 'Always')
    causes.push(notSupported(`${path}.restartPolicy`, policy, ['Always']));
  else if (policy !== undefined && !RESTART_POLICIES.includes(String(policy)))
    causes.push(notSupported(`${path}.restartPolicy`, policy, RESTART_POLICIES));
  return causes;
}

function checkContainers(list: unknown, path: string, volumes: Set<unknown>, requireOne: boolean): Cause[] {
  const containers = asList(list);
  if (containers.length === 0) return requireOne ? [required(path)] : [];
  const causes: Cause[] = [];
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!isRecord(c)) return;
    const name = c.name;
    if (typeof name !== 'string' || name === '') causes.push(required(`${p}.name`));
    else {
      for (const msg of isDns1123Label(name)) causes.push(invalidValue(`${p}.name`, name, msg));
      if (seen.has(name)) causes.push(duplicate(`${p}.name`, name));
      seen.add(name);
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') causes.push(required(`${p}.image`));
    if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(String(c.imagePullPolicy)))
      causes.push(notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    causes.push(
      ...checkContainerPorts(c.ports, `${p}.ports`),
      ...checkEnv(c.env, `${p}.env`),
      ...checkMounts(c.volumeMounts, `${p}.volumeMounts`, volumes),
    );
  });
  return causes;
}

function checkContainerPorts(list: unknown, path: string): Cause[] {
  const causes: Cause[] = [];
  const names = new Set<string>();
  asList(list).forEach((port, i) => {
    if (!isRecord(port)) return;
    const p = `${path}[${i}]`;
    causes.push(...portRange(`${p}.containerPort`, port.containerPort ?? 0));
    if (port.hostPort !== undefined && port.hostPort !== 0)
      causes.push(...portRange(`${p}.hostPort`, port.hostPort));
    if (typeof port.name === 'string' && port.name !== '') {
      for (const msg of isValidPortName(port.name)) causes.push(invalidValue(`${p}.name`, port.name, msg));
      if (names.has(port.name)) causes.push(duplicate(`${p}.name`, port.name));
      names.add(port.name);
    }
    if (port.protocol !== undefined && !PROTOCOLS.includes(String(port.protocol)))
      causes.push(notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
  });
  return causes;
}

function checkEnv(list: unknown, path: string): Cause[] {
  const causes: Cause[] = [];
  asList(list).forEach((env, i) => {
    if (!isRecord(env)) return;
    if (typeof env.name !== 'string' || env.name === '') causes.push(required(`${path}[${i}].name`));
    else if (env.name.includes('='))
      causes.push(
        invalidValue(
          `${path}[${i}].name`,
          env.name,
          "a valid environment variable name must consist only of printable ASCII characters other than '='",
        ),
      );
  });
  return causes;
}

function checkMounts(list: unknown, path: string, volumes: Set<unknown>): Cause[] {
  const causes: Cause[] = [];
  asList(list).forEach((m, i) => {
    if (!isRecord(m)) return;
    if (typeof m.name !== 'string' || m.name === '') causes.push(required(`${path}[${i}].name`));
    else if (!volumes.has(m.name)) causes.push(notFound(`${path}[${i}].name`, m.name));
    if (typeof m.mountPath !== 'string' || m.mountPath === '')
      causes.push(required(`${path}[${i}].mountPath`));
  });
  return causes;
}

function checkVolumes(list: unknown, path: string): Cause[] {
  const causes: Cause[] = [];
  const seen = new Set<string>();
  asList(list).forEach((v, i) => {
    if (!isRecord(v)) return;
    if (typeof v.name !== 'string' || v.name === '') return void causes.push(required(`${path}[${i}].name`));
    for (const msg of isDns1123Label(v.name)) causes.push(invalidValue(`${path}[${i}].name`, v.name, msg));
    if (seen.has(v.name)) causes.push(duplicate(`${path}[${i}].name`, v.name));
    seen.add(v.name);
  });
  return causes;
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
