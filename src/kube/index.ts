// The cluster access layer: kubeconfig like kubectl, a typed client over HTTP, typed errors.
export { loadKubeConfig } from './kubeconfig.js';
export { createKubeClient, defaultKubeDeps } from './client.js';
export * from './errors.js';
export { retryOnConflict, type ConflictRetryOptions } from './conflict-retry.js';
export { unsettledWriteOf, type UnsettledWrite } from './unsettled-write.js';
export { DEFAULT_TIMEOUTS } from './defaults.js';
export { DEFAULT_RETRY_POLICY } from './retry-policy.js';
export type * from './types.js';
import { loadKubeConfig } from './kubeconfig.js';
import { createKubeClient } from './client.js';
import type { KubeClient, KubeClientOptions, KubeDeps, LoadKubeConfigOptions } from './types.js';

/** loadKubeConfig + createKubeClient in one call, for CLI commands. */
export function connect(
  options: LoadKubeConfigOptions,
  deps?: Partial<KubeDeps>,
  clientOptions?: KubeClientOptions,
): KubeClient {
  return createKubeClient(loadKubeConfig(options), deps, clientOptions);
}
