// The environment of a container, built the way the kubelet builds it (kubelet_pods.go
// makeEnvironmentVariables), on top of the image's env:
//   host basics (PATH, HOME, …) < image env < cluster env (KUBERNETES_SERVICE_*, HOSTNAME,
//   POD_IP, HOST) < envFrom (in order) < env (in order, with $(VAR) references expanded).
// A missing Secret or ConfigMap (or key) that is not optional is a CreateContainerConfigError,
// with the kubelet's message.
import type { KubeObject, ObjectStore } from '../store/types.js';
import { CONFIGMAPS, SECRETS } from '../controllers/kinds.js';

export class ContainerConfigError extends Error {}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string };
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface EnvContext {
  store: ObjectStore;
  pod: KubeObject;
  podIP: string;
  hostIP: string;
  imageEnv: Record<string, string>;
  /** The API server as pods should reach it, if known. */
  apiServer?: { host: string; port: number };
  /** Called for a variable the local cluster cannot fill in (it is left unset). */
  warn(message: string): void;
}

/** Host variables a process needs to run at all (to find `node` and `npm`, write temp files). */
const HOST_PASSTHROUGH = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL'];

export function buildContainerEnv(
  ctx: EnvContext,
  container: { env?: EnvVar[]; envFrom?: EnvFromSource[] },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of HOST_PASSTHROUGH) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  Object.assign(env, ctx.imageEnv, clusterEnv(ctx));
  for (const source of container.envFrom ?? []) Object.assign(env, envFromSource(ctx, source));
  for (const v of container.env ?? []) {
    const value = v.valueFrom ? valueFrom(ctx, v) : expandReferences(v.value ?? '', env);
    if (value !== undefined) env[v.name] = value;
  }
  return env;
}

function clusterEnv(ctx: EnvContext): Record<string, string> {
  const env: Record<string, string> = { HOSTNAME: ctx.pod.metadata.name, POD_IP: ctx.podIP, HOST: ctx.podIP };
  if (ctx.apiServer) {
    const { host, port } = ctx.apiServer;
    Object.assign(env, {
      KUBERNETES_SERVICE_HOST: host,
      KUBERNETES_SERVICE_PORT: String(port),
      KUBERNETES_PORT: `tcp://${host}:${port}`,
      KUBERNETES_PORT_443_TCP: `tcp://${host}:${port}`,
      KUBERNETES_PORT_443_TCP_ADDR: host,
      KUBERNETES_PORT_443_TCP_PORT: String(port),
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    });
  }
  return env;
}

/** `$(VAR)` becomes the value of an earlier variable, `$$(VAR)` the literal `$(VAR)`; unknown ones stay as written. */
export function expandReferences(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && Object.hasOwn(env, name) ? env[name]! : m;
  });
}

function decodeData(obj: KubeObject, secret: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const data = (obj.data ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(data)) out[k] = secret ? Buffer.from(v, 'base64').toString('utf8') : v;
  if (secret) Object.assign(out, (obj.stringData ?? {}) as Record<string, string>);
  else
    for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>))
      out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

function source(ctx: EnvContext, secret: boolean, name: string): Record<string, string> | undefined {
  const obj = ctx.store.get(secret ? SECRETS : CONFIGMAPS, ctx.pod.metadata.namespace, name);
  return obj ? decodeData(obj, secret) : undefined;
}

function envFromSource(ctx: EnvContext, from: EnvFromSource): Record<string, string> {
  const secret = Boolean(from.secretRef);
  const ref = from.secretRef ?? from.configMapRef;
  if (!ref) return {};
  const data = source(ctx, secret, ref.name);
  if (!data) {
    if (ref.optional) return {};
    throw new ContainerConfigError(`${secret ? 'secret' : 'configmap'} "${ref.name}" not found`);
  }
  const out: Record<string, string> = {};
  const invalid: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    const name = `${from.prefix ?? ''}${k}`;
    if (/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) out[name] = v;
    else invalid.push(name);
  }
  if (invalid.length)
    ctx.warn(
      `Keys [${invalid.join(', ')}] from the EnvFrom ${secret ? 'secret' : 'configMap'} ${ctx.pod.metadata.namespace}/${ref.name} were skipped since they are considered invalid environment variable names.`,
    );
  return out;
}

function valueFrom(ctx: EnvContext, v: EnvVar): string | undefined {
  const from = v.valueFrom!;
  const ns = ctx.pod.metadata.namespace;
  for (const [secret, ref] of [
    [true, from.secretKeyRef],
    [false, from.configMapKeyRef],
  ] as const) {
    if (!ref) continue;
    const data = source(ctx, secret, ref.name);
    if (!data) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`${secret ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    if (!Object.hasOwn(data, ref.key)) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(
        `couldn't find key ${ref.key} in ${secret ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name}`,
      );
    }
    return data[ref.key];
  }
  if (from.fieldRef) return fieldValue(ctx, from.fieldRef.fieldPath);
  if (from.resourceFieldRef) {
    ctx.warn(
      `${v.name}: resourceFieldRef (${from.resourceFieldRef.resource}) is not supported by the local cluster; the variable is left unset`,
    );
    return undefined;
  }
  return undefined;
}

function fieldValue(ctx: EnvContext, path: string): string {
  const { pod } = ctx;
  const spec = (pod.spec ?? {}) as { nodeName?: string; serviceAccountName?: string };
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return pod.metadata[keyed[1] as 'labels' | 'annotations']?.[keyed[2]!] ?? '';
  const fields: Record<string, string | undefined> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'metadata.labels': formatMap(pod.metadata.labels),
    'metadata.annotations': formatMap(pod.metadata.annotations),
    'spec.nodeName': spec.nodeName,
    'spec.serviceAccountName': spec.serviceAccountName ?? 'default',
    'status.hostIP': ctx.hostIP,
    'status.hostIPs': ctx.hostIP,
    'status.podIP': ctx.podIP,
    'status.podIPs': ctx.podIP,
  };
  if (!Object.hasOwn(fields, path)) throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
  return fields[path] ?? '';
}

/** The downward API's `key="value"` lines, sorted. */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}
