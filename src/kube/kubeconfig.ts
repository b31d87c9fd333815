// Chooses the cluster and credentials exactly as kubectl does:
// --kubeconfig FILE alone; else KUBECONFIG's ':'-separated files merged (the first file to name
// a cluster/user/context, or to set current-context, wins; missing files are skipped); else
// ~/.kube/config; and only when no file exists, the in-cluster service account
// (KUBERNETES_SERVICE_HOST/PORT). Relative paths inside a file resolve against that file's folder.
import { readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from '../yaml/index.js';
import { InputError, UnreachableError } from '../errors.js';
import type { LoadKubeConfigOptions, MergedKubeConfig, ResolvedKubeConfig } from './types.js';

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
  const files = kubeconfigFiles(options, read);
  if (files.length === 0) {
    if (options.env.KUBERNETES_SERVICE_HOST && options.env.KUBERNETES_SERVICE_PORT) {
      return inClusterConfig(options, read);
    }
    throw new UnreachableError('no kubeconfig found and not running inside a cluster', {
      remedy: NO_CONFIG_REMEDY,
    });
  }
  const merged = mergeFiles(files);
  return resolveContext(merged, files, options, read);
}

/** The files kubectl would read, in precedence order, parsed. */
function kubeconfigFiles(options: LoadKubeConfigOptions, read: Reader): RawFile[] {
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
  const merged: MergedKubeConfig = { clusters: [], users: [], contexts: [], currentContext: '' };
  for (const { path, doc } of files) {
    const base = dirname(path);
    for (const c of entries(doc.clusters, 'cluster')) {
      if (!merged.clusters.some((x) => x.name === c.name))
        merged.clusters.push(absolutePaths(c, base) as never);
    }
    for (const u of entries(doc.users, 'user')) {
      if (!merged.users.some((x) => x.name === u.name)) merged.users.push(absolutePaths(u, base));
    }
    for (const c of entries(doc.contexts, 'context')) {
      if (!merged.contexts.some((x) => x.name === c.name)) merged.contexts.push(c as never);
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
  if (!cluster || typeof cluster.server !== 'string' || !cluster.server) {
    throw new InputError(`context "${contextName}" names cluster "${ctx.cluster}" which has no server`, {
      remedy: 'fix the kubeconfig cluster entry',
    });
  }
  const user = merged.users.find((u) => u.name === ctx.user) ?? { name: ctx.user ?? '' };
  merged.currentContext = contextName;
  return {
    source: 'kubeconfig',
    files: names,
    contextName,
    namespace: options.namespace || ctx.namespace || 'default',
    cluster: clusterTls(cluster, read),
    user: userCredentials(user, read),
    merged,
  };
}

function clusterTls(c: Named & { server: string }, read: Reader): ResolvedKubeConfig['cluster'] {
  const caData = c['certificate-authority-data'];
  const caFile = c['certificate-authority'];
  return {
    name: c.name,
    server: c.server.replace(/\/+$/, ''),
    caPem:
      typeof caData === 'string' ? decode(caData) : typeof caFile === 'string' ? read(caFile) : undefined,
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true,
    tlsServerName: typeof c['tls-server-name'] === 'string' ? c['tls-server-name'] : undefined,
  };
}

function userCredentials(u: Named, read: Reader): ResolvedKubeConfig['user'] {
  const str = (k: string) => (typeof u[k] === 'string' && u[k] ? (u[k] as string) : undefined);
  const certData = str('client-certificate-data');
  const keyData = str('client-key-data');
  return {
    name: u.name,
    token: str('token'),
    tokenFile: str('tokenFile'),
    clientCertPem: certData
      ? decode(certData)
      : str('client-certificate')
        ? read(str('client-certificate')!)
        : undefined,
    clientKeyPem: keyData ? decode(keyData) : str('client-key') ? read(str('client-key')!) : undefined,
    username: str('username'),
    password: str('password'),
    pluginAuth: Boolean(u.exec || u['auth-provider']),
  };
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
  };
}
