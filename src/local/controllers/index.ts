// The local cluster's controllers: Deployment → ReplicaSet → Pod, Service → Endpoints, and
// garbage collection by ownerReferences. Each is a level-triggered loop over the whole store:
// any event of a kind it reads triggers one coalesced pass that re-lists everything.
import type { ObjectStore } from '../store/types.js';
import type { ResourceType } from '../resources.js';
import { createEventRecorder } from './event-recorder.js';
import { DEPLOYMENTS, ENDPOINTS, PODS, REPLICASETS, SERVICES } from './kinds.js';
import { startReconcileLoop, type ReconcileLoop } from './reconcile-loop.js';
import { reconcileDeployments } from './deployment-controller.js';
import { reconcileReplicaSets } from './replicaset-controller.js';
import { reconcileEndpoints } from './endpoints-controller.js';
import { collectGarbage, GC_KINDS } from './garbage-collector.js';
import { expireEvents } from './event-ttl.js';

export interface ControllerOptions {
  store: ObjectStore;
  /** Where unexpected controller errors go (default: stderr). */
  log?: (line: string) => void;
}

export interface Controllers {
  stop(): Promise<void>;
}

export function startControllers(options: ControllerOptions): Controllers {
  const { store, log } = options;
  const unwatch: Array<() => void> = [];
  const loops: ReconcileLoop[] = [];
  const loop = (name: string, kinds: ResourceType[], pass: () => number | undefined | void) => {
    const l = startReconcileLoop(name, pass, { log });
    for (const kind of kinds) unwatch.push(store.watch(kind, () => l.trigger()));
    loops.push(l);
  };
  const deploymentEvents = createEventRecorder(store, { component: 'deployment-controller' });
  const replicaSetEvents = createEventRecorder(store, { component: 'replicaset-controller' });
  const managedEndpoints = new Set(
    store.list(ENDPOINTS).items.map((e) => `${e.metadata.namespace}/${e.metadata.name}`),
  );
  loop('deployment controller', [DEPLOYMENTS, REPLICASETS, PODS], () =>
    reconcileDeployments(store, deploymentEvents),
  );
  loop('replicaset controller', [REPLICASETS, PODS], () => reconcileReplicaSets(store, replicaSetEvents));
  loop('endpoints controller', [SERVICES, PODS, ENDPOINTS], () =>
    reconcileEndpoints(store, managedEndpoints),
  );
  loop('garbage collector', GC_KINDS, () => collectGarbage(store));
  // Only woken by its own clock (and at start): Events are written too often to trigger on.
  loop('event expiry', [], () => expireEvents(store));
  return {
    async stop() {
      for (const u of unwatch) u();
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
