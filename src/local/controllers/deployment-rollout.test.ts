// The RollingUpdate arithmetic on hand-made ReplicaSet states that a live cluster reaches only
// by chance of timing: here they are exact, so the guarantee is proven every run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStore } from '../store/index.js';
import type { KubeObject, ObjectStore } from '../store/types.js';
import { deploymentSpec } from './defaults.js';
import type { DeploymentContext } from './deployment-replicasets.js';
import { rolloutRolling } from './deployment-rollout.js';
import { DEPLOYMENTS, REPLICASETS } from './kinds.js';

const template = (version: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'web', env: [{ name: 'VERSION', value: version }] }] },
});

function replicaSet(
  store: ObjectStore,
  name: string,
  version: string,
  replicas: number,
  available: number,
): KubeObject {
  const rs = store.create(REPLICASETS, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', annotations: { 'deployment.kubernetes.io/revision': name } },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(version) },
  });
  return store.update(
    REPLICASETS,
    { ...rs, status: { replicas: Math.max(replicas, available), availableReplicas: available } },
    { subresource: 'status' },
  );
}

test('a ReplicaSet whose status still counts pods it is deleting is not trusted beyond its spec.replicas', async () => {
  const store = await createStore({});
  // replicas 4, maxSurge 1, maxUnavailable 1: at least 3 must stay available.
  const deployment = store.create(DEPLOYMENTS, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'web' } },
      template: template('v2'),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    },
  });
  // The old ReplicaSet was just scaled 3 → 2; its status still says 3 available. Two new pods
  // turned ready at once, so the new ReplicaSet has 2 of 2.
  const old = replicaSet(store, '1', 'v1', 2, 3);
  const fresh = replicaSet(store, '2', 'v2', 2, 2);
  const ctx: DeploymentContext = {
    store,
    events: { record: () => {} },
    deployment,
    spec: deploymentSpec(deployment.spec),
    replicaSets: [old, fresh],
    podsByRs: new Map(),
    now: Date.now(),
  };
  rolloutRolling(ctx);
  const replicas = (name: string) =>
    (store.get(REPLICASETS, 'default', name)!.spec as { replicas: number }).replicas;
  // The new one surges to 3; the old one may lose one more (2 + 2 − 3 = 1), not both.
  assert.equal(replicas('2'), 3);
  assert.equal(replicas('1'), 1, 'the old ReplicaSet keeps one: 1 old + 2 new available = 3');
  await store.close();
});
