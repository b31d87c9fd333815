// Chooses the cluster and credentials exactly as kubectl does:
// --kubeconfig FILE alone; else KUBECONFIG's ':'-separated files merged (the first file to name
// a cluster/user/context, or to set current-context, wins; missing files are skipped); else
// ~/.kube/config; and only when no file exists, the in-cluster service account
// (KUBERNETES_SERVICE_HOST/PORT). Relative paths inside a file resolve against that file's folder.
import { readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from '../yaml/index.js';
import { InputError, UnreachableError } from '../errors.js';
import { validateUsed } from './kubeconfig-validate.js';
import type {
  ExecPluginConfig,
  LoadKubeConfigOptions,
  MergedKubeConfig,
  ResolvedKubeConfig,
} from './types.js';

type Named = Record<string, unknown> & { name: string };
type Reader = (path: string) => string;

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const NO_CONFIG_REMEDY =
  'set KUBECONFIG or pass --kubeconfig (for the local cluster: `cutover local up`, then export the KUBECONFIG it prints)';

interface RawFile {
  path: string;
  doc: Record<string, unknown>;
}

export function loadKubeConfig(options: LoadKubeConfigOptions): ResolvedKubeConfig {
  const read: Reader = options.readFile ?? ((p) => readFileSync(p, 'utf8'));
  const missing: string[] = [];
  const files = kubeconfigFiles(options, read, missing);
  if (files.length === 0) {
    if (options.env.KUBERNETES_SERVICE_HOST && options.env.KUBERNETES_SERVICE_PORT) {
      return inClusterConfig(options, read);
    }
    // kubectl falls back to http://localhost:8080 here; naming the files helps more.
    if (options.env.KUBECONFIG && missing.length > 0) {
      throw new InputError(`KUBECONFIG names ${missing.join(', ')}, and none of them exists`, {
        file: missing[0],
        remedy: 'fix KUBECONFIG (files separated by ":") or pass --kubeconfig FILE',
      });
    }
    throw new UnreachableError('no kubeconfig found and not running inside a cluster', {
      remedy: NO_CONFIG_REMEDY,
    });
  }
  const merged = mergeFiles(files);
  return resolveContext(merged, files, options, read);
}

/** The files kubectl would read, in precedence order, parsed. */
function kubeconfigFiles(options: LoadKubeConfigOptions, read: Reader, missing: string[]): RawFile[] {
  if (options.kubeconfig) {
    const path = resolve(options.kubeconfig);
    return [{ path, doc: parseFile(path, readRequired(path, read)) }];
  }
  const list = options.env.KUBECONFIG
    ? options.env.KUBECONFIG.split(delimiter).filter((p) => p.length > 0)
    : options.env.HOME
      ? [join(options.env.HOME, '.kube', 'config')]
      : [];
  const seen = new Set<string>();
  const out: RawFile[] = [];
  for (const p of list) {
    const path = resolve(p);
    if (seen.has(path)) continue;
    seen.add(path);
    const text = readOptional(path, read);
    if (text !== undefined) out.push({ path, doc: parseFile(path, text) });
    else missing.push(path);
  }
  return out;
}

function readRequired(path: string, read: Reader): string {
  try {
    return read(path);
  } catch (err) {
    throw new InputError(`cannot read kubeconfig ${path}: ${(err as Error).message}`, {
      cause: err,
      file: path,
      remedy: 'pass an existing file to --kubeconfig',
    });
  }
}

function readOptional(path: string, read: Reader): string | undefined {
  try {
    return read(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read kubeconfig ${path}: ${(err as Error).message}`, {
      cause: err,
      file: path,
    });
  }
}

function parseFile(path: string, text: string): Record<string, unknown> {
  try {
    const doc = parse(text) as unknown;
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a mapping');
    return doc as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`kubeconfig ${path} is not valid YAML: ${(err as Error).message}`, {
      cause: err,
      file: path,
      remedy: 'fix the file or point KUBECONFIG elsewhere',
    });
  }
}

/** kubectl's merge: first definition of each name wins; first non-empty current-context wins. */
function mergeFiles(files: RawFile[]): MergedKubeConfig {
  const merged: MergedKubeConfig = {
    clusters: [],
    users: [],
    contexts: [],
    currentContext: '',
    origins: { clusters: {}, users: {}, contexts: {} },
  };
  const { origins } = merged;
  for (const { path, doc } of files) {
    const base = dirname(path);
    for (const c of entries(doc.clusters, 'cluster')) {
      if (merged.clusters.some((x) => x.name === c.name)) continue;
      merged.clusters.push(absolutePaths(c, base) as never);
      origins.clusters[c.name] = path;
    }
    for (const u of entries(doc.users, 'user')) {
      if (merged.users.some((x) => x.name === u.name)) continue;
      merged.users.push(absolutePaths(u, base));
      origins.users[u.name] = path;
    }
    for (const c of entries(doc.contexts, 'context')) {
      if (merged.contexts.some((x) => x.name === c.name)) continue;
      merged.contexts.push(c as never);
      origins.contexts[c.name] = path;
    }
    const cc = doc['current-context'];
    if (!merged.currentContext && typeof cc === 'string') merged.currentContext = cc;
  }
  return merged;
}

/** `[{name, cluster: {...}}]` → `[{name, ...}]`, the file's kebab-case keys kept. */
function entries(list: unknown, key: string): Named[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter(
      (e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof e.name === 'string',
    )
    .map((e) => ({ ...((e[key] as Record<string, unknown>) ?? {}), name: e.name as string }));
}

const PATH_KEYS = ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile'];

function absolutePaths(entry: Named, base: string): Named {
  const out: Named = { ...entry };
  for (const k of PATH_KEYS) {
    const v = out[k];
    if (typeof v === 'string' && v && !isAbsolute(v)) out[k] = resolve(base, v);
  }
  // An exec command with a path in it is relative to the kubeconfig that names it, as in
  // client-go; a bare name is looked up on PATH.
  const exec = out.exec as Record<string, unknown> | undefined;
  const command = exec?.command;
  if (typeof command === 'string' && command.includes('/') && !isAbsolute(command)) {
    out.exec = { ...exec, command: resolve(base, command) };
  }
  return out;
}

function resolveContext(
  merged: MergedKubeConfig,
  files: RawFile[],
  options: LoadKubeConfigOptions,
  read: Reader,
): ResolvedKubeConfig {
  const names = files.map((f) => f.path);
  const contextName = options.context || merged.currentContext;
  if (!contextName) {
    throw new UnreachableError(`no current context in ${names.join(', ')}`, {
      remedy: 'pass --context NAME or run `kubectl config use-context NAME`',
    });
  }
  const ctx = merged.contexts.find((c) => c.name === contextName);
  if (!ctx) {
    const known = merged.contexts.map((c) => c.name).join(', ') || 'none';
    throw new InputError(`context "${contextName}" not found in ${names.join(', ')} (known: ${known})`, {
      field: 'context',
      remedy: 'pass an existing --context',
    });
  }
  const cluster = merged.clusters.find((c) => c.name === ctx.cluster);
  const user = ctx.user ? merged.users.find((u) => u.name === ctx.user) : { name: '' };
  validateUsed({
    contextName,
    contextFile: merged.origins.contexts[contextName] ?? names[0]!,
    context: ctx,
    cluster,
    clusterFile: cluster ? merged.origins.clusters[cluster.name] : undefined,
    user: ctx.user ? user : undefined,
    userFile: user ? merged.origins.users[user.name] : undefined,
    files: names,
  });
  merged.currentContext = contextName;
  const resolvedCluster = clusterTls(cluster!, read);
  return {
    source: 'kubeconfig',
    files: names,
    contextName,
    namespace: options.namespace || ctx.namespace || 'default',
    cluster: resolvedCluster,
    user: userCredentials(user!, read, resolvedCluster.server, merged.origins.users[user!.name]),
    merged,
    env: options.env,
  };
}

function clusterTls(c: Named & { server: string }, read: Reader): ResolvedKubeConfig['cluster'] {
  const caData = c['certificate-authority-data'];
  const caFile = c['certificate-authority'];
  return {
    name: c.name,
    server: c.server.replace(/\/+$/, ''),
    caPem:
      typeof caData === 'string' && caData
        ? decode(caData)
        : typeof caFile === 'string' && caFile
          ? readReferenced(read, caFile, `clusters[${c.name}].certificate-authority`)
          : undefined,
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true,
    tlsServerName: typeof c['tls-server-name'] === 'string' ? c['tls-server-name'] : undefined,
    proxyUrl: typeof c['proxy-url'] === 'string' && c['proxy-url'] ? c['proxy-url'] : undefined,
  };
}

function userCredentials(
  u: Named,
  read: Reader,
  server: string,
  file: string | undefined,
): ResolvedKubeConfig['user'] {
  // client-go reads no credentials at all for a plain-http server: nothing secret in clear text.
  if (!server.startsWith('https:')) {
    const any = [
      'token',
      'tokenFile',
      'username',
      'client-certificate',
      'client-certificate-data',
      'exec',
      'auth-provider',
    ];
    return {
      name: u.name,
      pluginAuth: false,
      withheld: any.some((k) => u[k]) ? `the server ${server} is plain http` : undefined,
    };
  }
  const str = (k: string) => (typeof u[k] === 'string' && u[k] ? (u[k] as string) : undefined);
  const certData = str('client-certificate-data');
  const keyData = str('client-key-data');
  const certFile = str('client-certificate');
  const keyFile = str('client-key');
  const field = (k: string) => `users[${u.name}].${k}`;
  return {
    name: u.name,
    token: str('token'),
    tokenFile: str('tokenFile'),
    clientCertPem: certData
      ? decode(certData)
      : certFile
        ? readReferenced(read, certFile, field('client-certificate'), file)
        : undefined,
    clientKeyPem: keyData
      ? decode(keyData)
      : keyFile
        ? readReferenced(read, keyFile, field('client-key'), file)
        : undefined,
    username: str('username'),
    password: str('password'),
    exec: u.exec ? execConfig(u.exec as Record<string, unknown>) : undefined,
    pluginAuth: Boolean(u['auth-provider']),
  };
}

function execConfig(e: Record<string, unknown>): ExecPluginConfig {
  const env = Array.isArray(e.env) ? (e.env as Array<{ name: string; value?: unknown }>) : [];
  return {
    command: String(e.command),
    args: Array.isArray(e.args) ? e.args.map(String) : [],
    env: env.map((x) => ({
      name: x.name,
      value: x.value === undefined || x.value === null ? '' : String(x.value),
    })),
    apiVersion: String(e.apiVersion),
    interactiveMode: (e.interactiveMode as ExecPluginConfig['interactiveMode']) ?? 'IfAvailable',
    provideClusterInfo: e.provideClusterInfo === true,
    installHint: typeof e.installHint === 'string' ? e.installHint : undefined,
  };
}

/** A file a kubeconfig refers to; its absence is bad input naming the field. */
function readReferenced(read: Reader, path: string, field: string, file?: string): string {
  try {
    return read(path);
  } catch (err) {
    throw new InputError(`kubeconfig ${field}: cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
      file,
      field,
      remedy: 'fix the path (relative paths are relative to the kubeconfig file) or embed the data',
    });
  }
}

function decode(b64: string): string {
  return Buffer.from(b64, 'base64').toString('utf8');
}

function inClusterConfig(options: LoadKubeConfigOptions, read: Reader): ResolvedKubeConfig {
  const host = options.env.KUBERNETES_SERVICE_HOST!;
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${options.env.KUBERNETES_SERVICE_PORT}`;
  const saNamespace = readOptional(`${SA_DIR}/namespace`, read)?.trim();
  const merged: MergedKubeConfig = {
    clusters: [{ name: 'in-cluster', server, 'certificate-authority': `${SA_DIR}/ca.crt` }],
    users: [{ name: 'in-cluster', tokenFile: `${SA_DIR}/token` }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
    origins: { clusters: {}, users: {}, contexts: {} },
  };
  return {
    source: 'in-cluster',
    files: [],
    contextName: 'in-cluster',
    namespace: options.namespace || saNamespace || 'default',
    cluster: {
      name: 'in-cluster',
      server,
      caPem: readOptional(`${SA_DIR}/ca.crt`, read),
      insecureSkipTlsVerify: false,
    },
    user: { name: 'in-cluster', tokenFile: `${SA_DIR}/token`, pluginAuth: false },
    merged,
    env: options.env,
  };
}
