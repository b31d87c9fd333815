// Deployment → ReplicaSet → Pod with real processes: RollingUpdate within maxSurge/maxUnavailable,
// Recreate without overlap, scaling, revisions and history trimming, ProgressDeadlineExceeded,
// and garbage collection of ReplicaSets and pods when the Deployment goes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../src/local/controllers/kinds.js';
import type { KubeObject, StoreEvent } from '../src/local/store/types.js';
import { deploymentObject, startNode, waitFor, type TestNode } from './runtime-harness.js';

let node: TestNode;
before(async () => {
  node = await startNode();
});
after(() => node.close());

type Status = {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
};

function deployment(name: string): KubeObject {
  const d = node.store.get(DEPLOYMENTS, 'default', name);
  assert.ok(d, `deployment ${name} exists`);
  return d;
}

function status(name: string): Status {
  return (deployment(name).status ?? {}) as Status;
}

function condition(name: string, type: string) {
  return status(name).conditions?.find((c) => c.type === type);
}

/** What `kubectl rollout status` checks (reference §2.10), as a predicate. */
function rolledOut(name: string): boolean {
  const d = deployment(name);
  const s = status(name);
  const replicas = (d.spec as { replicas: number }).replicas;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    (s.updatedReplicas ?? 0) === replicas &&
    (s.replicas ?? 0) === replicas &&
    (s.availableReplicas ?? 0) === replicas &&
    condition(name, 'Progressing')?.reason === 'NewReplicaSetAvailable'
  );
}

function replicaSetsOf(name: string): KubeObject[] {
  const uid = deployment(name).metadata.uid;
  return node.store
    .list(REPLICASETS, 'default')
    .items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller));
}

function podsOf(label: string): KubeObject[] {
  return node.store.list(PODS, 'default').items.filter((p) => p.metadata.labels?.app === label);
}

function setEnv(name: string, version: string): void {
  const d = deployment(name);
  const spec = d.spec as { template: { spec: { containers: Array<{ env?: unknown[] }> } } };
  spec.template.spec.containers[0]!.env = [{ name: 'VERSION', value: version }];
  node.store.update(DEPLOYMENTS, d);
}

test('a new Deployment creates a ReplicaSet with the pod-template-hash and revision 1, and rolls out', async () => {
  node.store.create(DEPLOYMENTS, deploymentObject('first', { replicas: 2 }));
  await waitFor('first to roll out', () => rolledOut('first'));
  const [rs, ...more] = replicaSetsOf('first');
  assert.equal(more.length, 0);
  const hash = rs!.metadata.labels!['pod-template-hash']!;
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  assert.equal(rs!.metadata.name, `first-${hash}`);
  assert.equal(rs!.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.equal(deployment('first').metadata.annotations!['deployment.kubernetes.io/revision'], '1');
  assert.deepEqual((rs!.spec as { selector: unknown }).selector, {
    matchLabels: { app: 'first', 'pod-template-hash': hash },
  });
  const pods = podsOf('first');
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.match(p.metadata.name, new RegExp(`^first-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    assert.equal(p.metadata.labels!['pod-template-hash'], hash);
    assert.equal(p.metadata.ownerReferences![0]!.uid, rs!.metadata.uid);
    assert.equal(p.metadata.ownerReferences![0]!.controller, true);
  }
  const rsStatus = rs!.status as Record<string, number>;
  assert.deepEqual(
    {
      replicas: rsStatus.replicas,
      ready: rsStatus.readyReplicas,
      available: rsStatus.availableReplicas,
      labeled: rsStatus.fullyLabeledReplicas,
    },
    { replicas: 2, ready: 2, available: 2, labeled: 2 },
  );
  assert.deepEqual(
    { ...condition('first', 'Available'), lastUpdateTime: undefined, lastTransitionTime: undefined },
    {
      type: 'Available',
      status: 'True',
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
      lastUpdateTime: undefined,
      lastTransitionTime: undefined,
    },
  );
  assert.equal(
    condition('first', 'Progressing')!.message,
    `ReplicaSet "${rs!.metadata.name}" has successfully progressed.`,
  );
});

test('RollingUpdate keeps within maxSurge and maxUnavailable and ends on the new ReplicaSet', async () => {
  node.store.create(
    DEPLOYMENTS,
    deploymentObject('rolling', {
      replicas: 4,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
    }),
  );
  await waitFor('rolling v1', () => rolledOut('rolling'));
  const uid = deployment('rolling').metadata.uid;
  let maxPods = 0;
  let minAvailable = Infinity;
  const stop = node.store.watch(REPLICASETS, (_e: StoreEvent) => {
    const sets = node.store
      .list(REPLICASETS, 'default')
      .items.filter((rs) => rs.metadata.ownerReferences?.[0]?.uid === uid);
    maxPods = Math.max(
      maxPods,
      sets.reduce((n, rs) => n + ((rs.spec as { replicas: number }).replicas ?? 0), 0),
    );
    minAvailable = Math.min(
      minAvailable,
      sets.reduce(
        (n, rs) => n + (((rs.status as { availableReplicas?: number }) ?? {}).availableReplicas ?? 0),
        0,
      ),
    );
  });
  try {
    setEnv('rolling', 'v2');
    await waitFor(
      'rolling v2',
      () =>
        rolledOut('rolling') &&
        replicaSetsOf('rolling').length === 2 &&
        status('rolling').updatedReplicas === 4,
    );
  } finally {
    stop();
  }
  assert.ok(maxPods <= 5, `at most replicas + maxSurge pods were wanted at any time (saw ${maxPods})`);
  assert.ok(minAvailable >= 3, `at least replicas − maxUnavailable stayed available (saw ${minAvailable})`);
  const sets = replicaSetsOf('rolling').sort(
    (a, b) =>
      Number(a.metadata.annotations!['deployment.kubernetes.io/revision']) -
      Number(b.metadata.annotations!['deployment.kubernetes.io/revision']),
  );
  assert.deepEqual(
    sets.map((rs) => (rs.spec as { replicas: number }).replicas),
    [0, 4],
  );
  assert.equal(deployment('rolling').metadata.annotations!['deployment.kubernetes.io/revision'], '2');
  await waitFor(
    'old pods gone',
    () =>
      podsOf('rolling').every(
        (p) => p.metadata.labels!['pod-template-hash'] === sets[1]!.metadata.labels!['pod-template-hash'],
      ) && podsOf('rolling').length === 4,
  );
});

test('Recreate stops every old pod before the first new one is created', async () => {
  node.store.create(
    DEPLOYMENTS,
    deploymentObject('recreate', { replicas: 2, strategy: { type: 'Recreate' } }),
  );
  await waitFor('recreate v1', () => rolledOut('recreate'));
  const oldHash = replicaSetsOf('recreate')[0]!.metadata.labels!['pod-template-hash'];
  let oldPodsLeft = podsOf('recreate').length;
  let overlap = false;
  const stop = node.store.watch(PODS, (e) => {
    if (e.object.metadata.labels?.app !== 'recreate') return;
    const isOld = e.object.metadata.labels['pod-template-hash'] === oldHash;
    if (e.type === 'DELETED' && isOld) oldPodsLeft--;
    if (e.type === 'ADDED' && !isOld && oldPodsLeft > 0) overlap = true;
  });
  try {
    setEnv('recreate', 'v2');
    await waitFor(
      'recreate v2',
      () =>
        rolledOut('recreate') &&
        status('recreate').updatedReplicas === 2 &&
        replicaSetsOf('recreate').length === 2,
    );
  } finally {
    stop();
  }
  assert.equal(oldPodsLeft, 0);
  assert.equal(overlap, false, 'a new pod was created while an old one still existed');
});

test('spec.replicas scales the ReplicaSet up and down', async () => {
  node.store.create(DEPLOYMENTS, deploymentObject('scaled', { replicas: 1 }));
  await waitFor('scaled rolled out', () => rolledOut('scaled'));
  const scale = (n: number) => {
    const d = deployment('scaled');
    node.store.update(DEPLOYMENTS, { ...d, spec: { ...(d.spec as object), replicas: n } });
  };
  scale(3);
  await waitFor('3 replicas', () => rolledOut('scaled') && status('scaled').readyReplicas === 3);
  assert.equal(replicaSetsOf('scaled').length, 1);
  scale(1);
  await waitFor('1 pod', () => rolledOut('scaled') && podsOf('scaled').length === 1);
  assert.equal(status('scaled').replicas, 1);
});

test('old ReplicaSets beyond revisionHistoryLimit are deleted', async () => {
  node.store.create(
    DEPLOYMENTS,
    deploymentObject('history', { replicas: 1, revisionHistoryLimit: 1, strategy: { type: 'Recreate' } }),
  );
  await waitFor('history v1', () => rolledOut('history'));
  for (const v of ['v2', 'v3']) {
    setEnv('history', v);
    await waitFor(
      `history ${v}`,
      () =>
        rolledOut('history') &&
        deployment('history').metadata.annotations!['deployment.kubernetes.io/revision'] ===
          (v === 'v2' ? '2' : '3'),
    );
  }
  await waitFor('one old ReplicaSet kept', () => replicaSetsOf('history').length === 2);
  const revisions = replicaSetsOf('history')
    .map((rs) => rs.metadata.annotations!['deployment.kubernetes.io/revision'])
    .sort();
  assert.deepEqual(revisions, ['2', '3']);
});

test('a Deployment whose pods never become available exceeds its progress deadline', async () => {
  node.store.create(
    DEPLOYMENTS,
    deploymentObject('stuck', {
      replicas: 1,
      progressDeadlineSeconds: 2,
      containerOptions: { image: 'nowhere/missing:1' },
    }),
  );
  const c = await waitFor(
    'ProgressDeadlineExceeded',
    () =>
      condition('stuck', 'Progressing')?.reason === 'ProgressDeadlineExceeded' &&
      condition('stuck', 'Progressing'),
    45_000,
  );
  assert.equal(c.status, 'False');
  assert.match(c.message, /^ReplicaSet "stuck-[a-z0-9]{10}" has timed out progressing\.$/);
  assert.equal(condition('stuck', 'Available')!.reason, 'MinimumReplicasUnavailable');
  assert.equal(status('stuck').unavailableReplicas, 1);
});

test('deleting a Deployment removes its ReplicaSets and pods', async () => {
  node.store.create(DEPLOYMENTS, deploymentObject('doomed', { replicas: 2 }));
  await waitFor('doomed rolled out', () => rolledOut('doomed'));
  const rsNames = replicaSetsOf('doomed').map((rs) => rs.metadata.name);
  node.store.delete(DEPLOYMENTS, 'default', 'doomed');
  await waitFor('ReplicaSets gone', () => rsNames.every((n) => !node.store.get(REPLICASETS, 'default', n)));
  await waitFor('pods gone', () => podsOf('doomed').length === 0);
});

test('a paused Deployment scales but does not roll out until resumed', async () => {
  node.store.create(DEPLOYMENTS, deploymentObject('paused', { replicas: 1 }));
  await waitFor('paused v1', () => rolledOut('paused'));
  const setPaused = (paused: boolean) => {
    const d = deployment('paused');
    node.store.update(DEPLOYMENTS, { ...d, spec: { ...(d.spec as object), paused } });
  };
  setPaused(true);
  await waitFor('DeploymentPaused', () => condition('paused', 'Progressing')?.reason === 'DeploymentPaused');
  assert.equal(condition('paused', 'Progressing')!.status, 'Unknown');
  setEnv('paused', 'v2');
  const d = deployment('paused');
  node.store.update(DEPLOYMENTS, { ...d, spec: { ...(d.spec as object), replicas: 2 } });
  await waitFor(
    'scaled while paused',
    () =>
      status('paused').readyReplicas === 2 &&
      status('paused').observedGeneration === deployment('paused').metadata.generation,
  );
  assert.equal(replicaSetsOf('paused').length, 1, 'no new ReplicaSet while paused');
  setPaused(false);
  await waitFor('rolled out after resume', () => rolledOut('paused') && replicaSetsOf('paused').length === 2);
});
