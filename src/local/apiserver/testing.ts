// Starts a store and an API server on a free loopback port with a kubeconfig for it, for tests
// and benchmarks that drive the server over real HTTP.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type LocalStore } from '../store/index.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from './index.js';

export interface TestApiServer {
  store: LocalStore;
  api: ApiServer;
  /** Directory holding the kubeconfig (and the state when persistent). */
  dir: string;
  kubeconfigPath: string;
  kubeconfigYaml: string;
  close(): Promise<void>;
}

export function kubeconfigFor(url: string, namespace = 'default'): string {
  // client-node refuses http:// unless insecure-skip-tls-verify is set (reference §2.1).
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: local`,
    `  cluster: {server: "${url}", insecure-skip-tls-verify: true}`,
    'contexts:',
    `- name: local`,
    `  context: {cluster: local, user: local, namespace: ${namespace}}`,
    'current-context: local',
    'users:',
    '- name: local',
    '  user: {token: local-token}',
    '',
  ].join('\n');
}

export async function startTestApiServer(
  options: { stateDir?: string; historySize?: number } & Partial<Omit<ApiServerOptions, 'store'>> = {},
): Promise<TestApiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-api-'));
  const store = await createStore({ stateDir: options.stateDir, historySize: options.historySize });
  const api = await startApiServer({ ...options, store, host: '127.0.0.1', port: options.port ?? 0 });
  const kubeconfigYaml = kubeconfigFor(api.url);
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfigYaml);
  return {
    store,
    api,
    dir,
    kubeconfigPath,
    kubeconfigYaml,
    close: async () => {
      await api.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
