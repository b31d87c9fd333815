// The API server driven by @kubernetes/client-node over real HTTP: CRUD, selectors, watch,
// optimistic concurrency, Leases, generation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { findResource } from '../src/local/resources.js';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';

let server: TestApiServer;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let coordination: k8s.CoordinationV1Api;
let objects: k8s.KubernetesObjectApi;

before(async () => {
  server = await startTestApiServer();
  kc = new k8s.KubeConfig();
  kc.loadFromString(server.kubeconfigYaml);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  coordination = kc.makeApiClient(k8s.CoordinationV1Api);
  objects = k8s.KubernetesObjectApi.makeApiClient(kc);
});
after(() => server.close());

async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof k8s.ApiException, `expected ApiException, got ${String(err)}`);
    return { code: err.code, body: JSON.parse(err.body as string) as Record<string, unknown> };
  }
  assert.fail('expected the request to fail');
}

function deployment(name: string, replicas = 1): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'demo:1' }] },
      },
    },
  };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('ConfigMap CRUD through the typed API', async () => {
  const created = await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'cfg' }, data: { a: '1' } },
  });
  assert.equal(created.metadata?.name, 'cfg');
  assert.ok(created.metadata?.uid);
  const read = await core.readNamespacedConfigMap({ name: 'cfg', namespace: 'default' });
  assert.deepEqual(read.data, { a: '1' });
  read.data = { a: '2' };
  const replaced = await core.replaceNamespacedConfigMap({ name: 'cfg', namespace: 'default', body: read });
  assert.deepEqual(replaced.data, { a: '2' });
  assert.ok(Number(replaced.metadata!.resourceVersion) > Number(created.metadata!.resourceVersion));
  await core.deleteNamespacedConfigMap({ name: 'cfg', namespace: 'default' });
  const gone = await apiError(core.readNamespacedConfigMap({ name: 'cfg', namespace: 'default' }));
  assert.equal(gone.code, 404);
  assert.equal(gone.body.message, 'configmaps "cfg" not found');
  assert.deepEqual(gone.body.details, { name: 'cfg', kind: 'configmaps' });
});

test('creating in a namespace that does not exist is the real 404', async () => {
  const err = await apiError(
    core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }),
  );
  assert.equal(err.code, 404);
  assert.equal(err.body.message, 'namespaces "nowhere" not found');
  assert.equal(err.body.reason, 'NotFound');
});

test('initial namespaces exist', async () => {
  const list = await core.listNamespace();
  const names = list.items.map((n) => n.metadata?.name);
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'istio-system'])
    assert.ok(names.includes(ns), ns);
  assert.equal(list.items[0]?.status?.phase, 'Active');
});

test('list with label and field selectors, namespaced and across namespaces', async () => {
  await core.createNamespace({ body: { metadata: { name: 'sel' } } });
  const make = (ns: string, name: string, labels: Record<string, string>) =>
    core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels } } });
  await make('sel', 'a', { color: 'blue', tier: 'web' });
  await make('sel', 'b', { color: 'green', tier: 'web' });
  await make('sel', 'c', { color: 'green' });
  await make('default', 'd', { color: 'blue' });
  const names = async (labelSelector?: string, fieldSelector?: string, namespace = 'sel') =>
    (await core.listNamespacedConfigMap({ namespace, labelSelector, fieldSelector })).items
      .map((i) => i.metadata!.name)
      .join(',');
  assert.equal(await names('color=blue'), 'a');
  assert.equal(await names('color==green'), 'b,c');
  assert.equal(await names('color!=blue'), 'b,c');
  assert.equal(await names('color in (blue,green),tier'), 'a,b');
  assert.equal(await names('color notin (blue)'), 'b,c');
  assert.equal(await names('!tier'), 'c');
  assert.equal(await names(undefined, 'metadata.name=b'), 'b');
  assert.equal(await names('color=green', 'metadata.name!=b'), 'c');
  const all = await core.listConfigMapForAllNamespaces({ labelSelector: 'color=blue' });
  assert.deepEqual(
    all.items.map((i) => `${i.metadata!.namespace}/${i.metadata!.name}`),
    ['default/d', 'sel/a'],
  );
  const bad = await apiError(core.listNamespacedConfigMap({ namespace: 'sel', fieldSelector: 'data.x=1' }));
  assert.equal(bad.code, 400);
  assert.equal(bad.body.message, 'field label not supported: data.x');
});

test('watch: ADDED, MODIFIED, DELETED, from a resourceVersion, and 410 when history is gone', async () => {
  await core.createNamespace({ body: { metadata: { name: 'w' } } });
  const events: string[] = [];
  const watch = new k8s.Watch(kc);
  const ctl = await watch.watch(
    '/api/v1/namespaces/w/configmaps',
    {},
    (type, obj: k8s.V1ConfigMap) =>
      events.push(`${type} ${obj.metadata!.name} ${JSON.stringify(obj.data ?? {})}`),
    () => undefined,
  );
  const created = await core.createNamespacedConfigMap({
    namespace: 'w',
    body: { metadata: { name: 'x' }, data: { v: '1' } },
  });
  await core.patchNamespacedConfigMap(
    { name: 'x', namespace: 'w', body: { data: { v: '2' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await core.deleteNamespacedConfigMap({ name: 'x', namespace: 'w' });
  await waitFor(() => events.length === 3, 'three events');
  ctl.abort();
  assert.deepEqual(events, ['ADDED x {"v":"1"}', 'MODIFIED x {"v":"2"}', 'DELETED x {"v":"2"}']);

  const resumed: string[] = [];
  const ctl2 = await watch.watch(
    '/api/v1/namespaces/w/configmaps',
    { resourceVersion: created.metadata!.resourceVersion },
    (type) => resumed.push(type),
    () => undefined,
  );
  await waitFor(() => resumed.length === 2, 'two replayed events');
  ctl2.abort();
  assert.deepEqual(resumed, ['MODIFIED', 'DELETED']);

  // Push the start far outside the retained history (10,000 events).
  const res = await fetch(`${server.api.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=1`);
  assert.equal(res.status, 200);
  for (let i = 0; i < 10_001; i++)
    server.store.create(findResource('', 'configmaps')!, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `n${i}`, namespace: 'kube-public' },
    });
  const stale = await fetch(`${server.api.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=2`);
  const line = JSON.parse((await stale.text()).trim()) as {
    type: string;
    object: { code: number; reason: string; message: string };
  };
  assert.equal(line.type, 'ERROR');
  assert.equal(line.object.code, 410);
  assert.equal(line.object.reason, 'Expired');
  assert.match(line.object.message, /^too old resource version: 2 \(\d+\)$/);
  await res.body?.cancel();
});

test('watch with resourceVersion unset sends synthetic ADDED for existing objects first', async () => {
  await core.createNamespace({ body: { metadata: { name: 'w2' } } });
  await core.createNamespacedConfigMap({
    namespace: 'w2',
    body: { metadata: { name: 'pre', labels: { k: 'v' } } },
  });
  const events: string[] = [];
  const ctl = await new k8s.Watch(kc).watch(
    '/api/v1/namespaces/w2/configmaps',
    { labelSelector: 'k=v' },
    (type, obj: k8s.V1ConfigMap) => events.push(`${type} ${obj.metadata!.name}`),
    () => undefined,
  );
  await core.createNamespacedConfigMap({ namespace: 'w2', body: { metadata: { name: 'other' } } });
  await core.createNamespacedConfigMap({
    namespace: 'w2',
    body: { metadata: { name: 'post', labels: { k: 'v' } } },
  });
  await core.patchNamespacedConfigMap(
    { name: 'post', namespace: 'w2', body: { metadata: { labels: { k: 'w' } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await waitFor(() => events.length === 3, 'three events');
  ctl.abort();
  // The label change takes "post" out of the selection: a DELETED, as a real watch cache sends.
  assert.deepEqual(events, ['ADDED pre', 'ADDED post', 'DELETED post']);
});

test('a stale resourceVersion on update is a 409 Conflict; generation moves on spec changes only', async () => {
  const created = await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  assert.equal(created.metadata?.generation, 1);
  const first = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  first.spec!.replicas = 3;
  const updated = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'default', body: first });
  assert.equal(updated.metadata?.generation, 2);
  const labelled = await apps.patchNamespacedDeployment(
    { name: 'web', namespace: 'default', body: { metadata: { labels: { extra: 'x' } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  assert.equal(labelled.metadata?.generation, 2);
  const withStatus = await apps.replaceNamespacedDeploymentStatus({
    name: 'web',
    namespace: 'default',
    body: { ...labelled, status: { observedGeneration: 2, replicas: 3 } },
  });
  assert.equal(withStatus.metadata?.generation, 2);
  assert.equal(withStatus.status?.replicas, 3);
  first.spec!.replicas = 5;
  const conflict = await apiError(
    apps.replaceNamespacedDeployment({ name: 'web', namespace: 'default', body: first }),
  );
  assert.equal(conflict.code, 409);
  assert.equal(conflict.body.reason, 'Conflict');
  assert.equal(
    conflict.body.message,
    'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
  );
  const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'default' });
  assert.equal(scale.spec?.replicas, 3);
  assert.equal(scale.status?.selector, 'app=web');
  const exists = await apiError(
    apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') }),
  );
  assert.equal(exists.code, 409);
  assert.equal(exists.body.reason, 'AlreadyExists');
  assert.equal(exists.body.message, 'deployments.apps "web" already exists');
});

test('Lease: create with MicroTime, conflicting update, unconditional update refused', async () => {
  const body: k8s.V1Lease = {
    metadata: { name: 'deploy-lock' },
    spec: {
      holderIdentity: 'ci-1',
      leaseDurationSeconds: 30,
      acquireTime: new k8s.V1MicroTime(),
      renewTime: new k8s.V1MicroTime(),
    },
  };
  const created = await coordination.createNamespacedLease({ namespace: 'default', body });
  assert.equal(created.spec?.holderIdentity, 'ci-1');
  assert.match(JSON.stringify(created.spec?.renewTime), /\.\d{6}Z/);
  const mine = { ...created, spec: { ...created.spec, holderIdentity: 'ci-2' } };
  const taken = await coordination.replaceNamespacedLease({
    name: 'deploy-lock',
    namespace: 'default',
    body: mine,
  });
  assert.equal(taken.spec?.holderIdentity, 'ci-2');
  const stale = await apiError(
    coordination.replaceNamespacedLease({
      name: 'deploy-lock',
      namespace: 'default',
      body: { ...created, spec: { ...created.spec, holderIdentity: 'ci-3' } },
    }),
  );
  assert.equal(stale.code, 409);
  assert.equal(
    stale.body.message,
    'Operation cannot be fulfilled on leases.coordination.k8s.io "deploy-lock": the object has been modified; please apply your changes to the latest version and try again',
  );
  const unconditional = { ...taken, metadata: { ...taken.metadata, resourceVersion: undefined } };
  const refused = await apiError(
    coordination.replaceNamespacedLease({ name: 'deploy-lock', namespace: 'default', body: unconditional }),
  );
  assert.equal(refused.code, 422);
  assert.match(
    String(refused.body.message),
    /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/,
  );
  // Leases may be created by PUT.
  const put = await coordination.replaceNamespacedLease({
    name: 'other-lock',
    namespace: 'default',
    body: { metadata: { name: 'other-lock' }, spec: { holderIdentity: 'x' } },
  });
  assert.equal(put.metadata?.name, 'other-lock');
});

test('KubernetesObjectApi: create, read, merge-patch a VirtualService at v1 and v1beta1, delete', async () => {
  const vs = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'web', namespace: 'default' },
    spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web', subset: 'blue' } }] }] },
  };
  await objects.create(vs);
  const patched = await objects.patch(
    { ...vs, spec: { ...vs.spec, http: [{ route: [{ destination: { host: 'web', subset: 'green' } }] }] } },
    undefined,
    undefined,
    undefined,
    undefined,
    k8s.PatchStrategy.MergePatch,
  );
  assert.equal((patched as unknown as typeof vs).spec.http[0]!.route[0]!.destination.subset, 'green');
  const old = await objects.read({
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: { name: 'web', namespace: 'default' },
  });
  assert.equal(old.apiVersion, 'networking.istio.io/v1beta1');
  const smp = await apiError(objects.patch({ ...vs, spec: { hosts: ['x'] } }));
  assert.equal(smp.code, 415);
  assert.equal(smp.body.reason, 'UnsupportedMediaType');
  await objects.delete(vs);
  assert.equal((await apiError(objects.read(vs))).code, 404);
});

test('graceful pod deletion leaves a deletionTimestamp; grace 0 removes at once', async () => {
  const pod: k8s.V1Pod = {
    metadata: { name: 'p' },
    spec: { nodeName: 'local', containers: [{ name: 'c', image: 'demo:1' }] },
  };
  await core.createNamespacedPod({ namespace: 'default', body: pod });
  const deleting = await core.deleteNamespacedPod({ name: 'p', namespace: 'default', gracePeriodSeconds: 5 });
  assert.ok(deleting.metadata?.deletionTimestamp);
  assert.equal(deleting.metadata?.deletionGracePeriodSeconds, 5);
  assert.ok(await core.readNamespacedPod({ name: 'p', namespace: 'default' }));
  await core.deleteNamespacedPod({ name: 'p', namespace: 'default', gracePeriodSeconds: 0 });
  assert.equal((await apiError(core.readNamespacedPod({ name: 'p', namespace: 'default' }))).code, 404);
});
