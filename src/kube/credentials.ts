// What each request carries to prove who we are, chosen as kubectl chooses it:
// - an exec plugin's token or client certificate (exec-plugin.ts), renewed on expiry and on 401;
// - a token file, re-read once a minute (projected service-account tokens rotate), which wins
//   over an inline token when both are set (client-go's bearer-token-file rule; the inline token
//   is used only while the file cannot be read);
// - an inline token; basic auth;
// - auth-provider entries (legacy GKE/OIDC) through @kubernetes/client-node, imported only then
//   because it takes about a second to load.
// Nothing at all for a plain-http server (kubeconfig.ts withholds the user).
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { ExecPlugin } from './exec-plugin.js';
import type { ClientCertificate } from './transport.js';
import type { MergedKubeConfig, ResolvedKubeConfig } from './types.js';

export interface RequestCredentials {
  headers: Record<string, string>;
  /** A client certificate that replaces the kubeconfig's (exec plugins). */
  clientCert?: ClientCertificate;
}

export interface Credentials {
  current(): Promise<RequestCredentials>;
  /** After a 401: renew what can be renewed; true when the next attempt may fare better. */
  renewAfterUnauthorized(): Promise<boolean>;
}

const TOKEN_FILE_TTL_MS = 60_000;

export interface CredentialDeps {
  clock: () => number;
  stdinIsTTY?: boolean;
  readFile?: (path: string) => string;
}

export function createCredentials(config: ResolvedKubeConfig, deps: CredentialDeps): Credentials {
  const { user } = config;
  if (user.exec) return execCredentials(config, deps);
  if (user.pluginAuth) return authProviderCredentials(config);
  const read = deps.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let fileToken: { value: string; readAt: number } | undefined;
  const tokenFromFile = (force: boolean): string | undefined => {
    if (!user.tokenFile) return undefined;
    if (!force && fileToken && deps.clock() - fileToken.readAt <= TOKEN_FILE_TTL_MS) return fileToken.value;
    try {
      fileToken = { value: read(user.tokenFile).trim(), readAt: deps.clock() };
    } catch (err) {
      if (user.token || fileToken) return fileToken?.value;
      throw new InputError(
        `kubeconfig users[${user.name}].tokenFile: cannot read ${user.tokenFile}: ${(err as Error).message}`,
        {
          cause: err,
          field: `users[${user.name}].tokenFile`,
          remedy: 'fix the path (relative paths are relative to the kubeconfig file)',
        },
      );
    }
    return fileToken.value;
  };
  const headersWith = (token: string | undefined): RequestCredentials => {
    if (token) return { headers: { authorization: `Bearer ${token}` } };
    if (user.username !== undefined || user.password !== undefined) {
      const basic = Buffer.from(`${user.username ?? ''}:${user.password ?? ''}`).toString('base64');
      return { headers: { authorization: `Basic ${basic}` } };
    }
    return { headers: {} };
  };
  return {
    current: async () => headersWith(tokenFromFile(false) ?? user.token),
    async renewAfterUnauthorized() {
      if (!user.tokenFile) return false;
      const before = fileToken?.value;
      return tokenFromFile(true) !== before;
    },
  };
}

function execCredentials(config: ResolvedKubeConfig, deps: CredentialDeps): Credentials {
  const plugin = new ExecPlugin(config.user.exec!, config.cluster, config.user.name, {
    clock: deps.clock,
    stdinIsTTY: deps.stdinIsTTY ?? Boolean(process.stdin.isTTY),
    env: config.env,
  });
  return {
    async current() {
      const c = await plugin.credential();
      return {
        headers: (c.token ? { authorization: `Bearer ${c.token}` } : {}) as Record<string, string>,
        clientCert:
          c.clientCertPem && c.clientKeyPem
            ? { certPem: c.clientCertPem, keyPem: c.clientKeyPem }
            : undefined,
      };
    },
    async renewAfterUnauthorized() {
      await plugin.renew();
      return true;
    },
  };
}

function authProviderCredentials(config: ResolvedKubeConfig): Credentials {
  let cached: Promise<Record<string, string>> | undefined;
  const load = () => {
    cached ??= (async () => {
      const { KubeConfig } = await import('@kubernetes/client-node');
      const kc = new KubeConfig();
      kc.loadFromString(JSON.stringify(toKubeconfigFile(config.merged)));
      kc.setCurrentContext(config.contextName);
      const opts: { headers?: Record<string, unknown> } = {};
      await kc.applyToHTTPSOptions(opts as never);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = String(v);
      return headers;
    })();
    return cached;
  };
  return {
    current: async () => ({ headers: await load() }),
    async renewAfterUnauthorized() {
      cached = undefined;
      return true;
    },
  };
}

/** The merged entries back in kubeconfig file form, which client-node parses like kubectl. */
function toKubeconfigFile(merged: MergedKubeConfig): Record<string, unknown> {
  const nest = (key: string) => (e: Record<string, unknown> & { name: string }) => {
    const { name, ...rest } = e;
    return { name, [key]: rest };
  };
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: merged.clusters.map(nest('cluster')),
    users: merged.users.map(nest('user')),
    contexts: merged.contexts.map((c) => nest('context')(c as typeof c & Record<string, unknown>)),
    'current-context': merged.currentContext,
  };
}
