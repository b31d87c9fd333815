// Everything one operation needs, built once per command: config, cluster client, where the
// objects come from, the traffic router and the injected world.
import type { CutoverConfig } from '../config/types.js';
import type { KubeClient } from '../kube/types.js';
import type { HeldLock } from '../lock/types.js';
import { createRouter } from '../routers/factory.js';
import { LABELS } from '../manifests/types.js';
import type { TrafficRouter } from '../routers/types.js';
import { builderSource, manifestSource, type AppSource } from './app-source.js';
import type { EngineDeps } from './deps.js';

export interface EngineContext {
  config: CutoverConfig;
  kube: KubeClient;
  namespace: string;
  app: string;
  source: AppSource;
  router: TrafficRouter;
  deps: EngineDeps;
  /** Plan only: read, never write, never wait. */
  dryRun: boolean;
  /** Set while a mutating operation holds the app's lock. */
  lock?: HeldLock;
  /**
   * A client not stopped by deps.signal, with short clocks: holds the lock and settles a stopped
   * or failed operation (release the lock, read what was left, record the history). Defaults to kube.
   */
  settleKube?: KubeClient;
}

export interface ContextOptions {
  config: CutoverConfig;
  kube: KubeClient;
  deps: EngineDeps;
  dryRun?: boolean;
}

export async function createContext(options: ContextOptions): Promise<EngineContext> {
  const { config, kube, deps } = options;
  const namespace = config.namespace ?? kube.namespace;
  const source = config.manifests
    ? await manifestSource(config, namespace, deps.env)
    : builderSource(config, namespace);
  return {
    config,
    kube,
    namespace,
    app: config.app,
    source,
    router: createRouter({
      config,
      namespace,
      routeSettings: source.settings,
      labels: { app: LABELS.app, color: LABELS.color },
      annotationPrefix: source.settings.annotationPrefix,
    }),
    deps,
    dryRun: Boolean(options.dryRun),
  };
}
