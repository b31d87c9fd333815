// Produces the Authorization header for a request. Tokens and basic auth come straight from the
// resolved kubeconfig; exec plugins and auth-providers (EKS, GKE, OIDC) are delegated to
// @kubernetes/client-node, imported only then because it takes about a second to load.
import { readFileSync } from 'node:fs';
import type { MergedKubeConfig, ResolvedKubeConfig } from './types.js';

export interface Credentials {
  /** Headers to add to each request (Authorization), refreshed as needed. */
  headers(): Promise<Record<string, string>>;
}

const TOKEN_FILE_TTL_MS = 60_000;

export function createCredentials(config: ResolvedKubeConfig, clock: () => number): Credentials {
  const { user } = config;
  if (user.pluginAuth) return pluginCredentials(config);
  let fileToken: { value: string; readAt: number } | undefined;
  const headers = async (): Promise<Record<string, string>> => {
    if (user.token) return { authorization: `Bearer ${user.token}` };
    if (user.tokenFile) {
      // Projected service-account tokens rotate; kubectl re-reads the file, so do we (once a minute).
      if (!fileToken || clock() - fileToken.readAt > TOKEN_FILE_TTL_MS) {
        fileToken = { value: readFileSync(user.tokenFile, 'utf8').trim(), readAt: clock() };
      }
      return { authorization: `Bearer ${fileToken.value}` };
    }
    if (user.username !== undefined && user.password !== undefined) {
      return {
        authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`,
      };
    }
    return {};
  };
  return { headers };
}

function pluginCredentials(config: ResolvedKubeConfig): Credentials {
  // Exec plugins that return a client certificate instead of a token are not supported yet.
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
  return { headers: load };
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
