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
  const built = config.manifests
    ? await manifestSource(config, namespace, deps.env)
    : builderSource(config, namespace);
  const router = createRouter({
    config,
    namespace,
    folder: built.folder,
    labels: { app: LABELS.app, color: built.settings.colorLabel, release: LABELS.release },
    annotationPrefix: built.settings.annotationPrefix,
  });
  return {
    config,
    kube,
    namespace,
    app: config.app,
    source: withoutRouterObjects(built, router),
    router,
    deps,
    dryRun: Boolean(options.dryRun),
  };
}

/**
 * The router writes some objects itself (the Service router owns the app's Service and its
 * selector): the builders' or the manifests' copy of them is never applied, or every deploy
 * would reset the live selector.
 */
function withoutRouterObjects(source: AppSource, router: TrafficRouter): AppSource {
  const owns = router.owns?.bind(router);
  if (!owns) return source;
  return {
    mode: source.mode,
    settings: source.settings,
    folder: source.folder,
    deploymentName: (color) => source.deploymentName(color),
    deployment: (input) => source.deployment(input),
    sharedObjects: () => source.sharedObjects().filter((o) => !owns(o.kind, o.metadata.name)),
  };
}
