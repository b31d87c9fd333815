import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../errors.js';
import { findResource } from '../resources.js';
import { ApiError } from './api-error.js';
import { createStore } from './index.js';
import type { KubeObject, StoreEvent } from './types.js';

const deployments = findResource('apps', 'deployments')!;
const configmaps = findResource('', 'configmaps')!;
const namespaces = findResource('', 'namespaces')!;
const leases = findResource('coordination.k8s.io', 'leases')!;

function deployment(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { replicas },
  };
}

function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an ApiError');
}

test('create assigns uid, resourceVersion, timestamps and generation, and returns copies', async () => {
  const store = await createStore();
  const created = store.create(deployments, deployment('web'));
  assert.equal(created.metadata.resourceVersion, '1');
  assert.equal(created.metadata.generation, 1);
  assert.match(created.metadata.uid!, /^[0-9a-f-]{36}$/);
  assert.match(created.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  created.metadata.labels!.app = 'changed';
  assert.equal(store.get(deployments, 'default', 'web')!.metadata.labels!.app, 'web');
  const cm = store.create(configmaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: '', generateName: 'cfg-', namespace: 'default' },
  });
  assert.match(cm.metadata.name, /^cfg-[a-z0-9]{5}$/);
  assert.equal(cm.metadata.generation, undefined);
  assert.equal(store.currentResourceVersion(), 2);
  const err = apiErrorOf(() => store.create(deployments, deployment('web')));
  assert.equal(err.code, 409);
  assert.equal(err.status.reason, 'AlreadyExists');
  assert.equal(err.status.message, 'deployments.apps "web" already exists');
  assert.deepEqual(err.status.details, { name: 'web', group: 'apps', kind: 'deployments' });
});

test('update: stale resourceVersion is a 409 Conflict, generation moves on spec changes only', async () => {
  const store = await createStore();
  const v1 = store.create(deployments, deployment('web'));
  const labelled = store.update(deployments, {
    ...v1,
    metadata: { ...v1.metadata, labels: { app: 'web', x: 'y' } },
  });
  assert.equal(labelled.metadata.generation, 1);
  assert.equal(labelled.metadata.resourceVersion, '2');
  const scaled = store.update(deployments, { ...labelled, spec: { replicas: 3 } });
  assert.equal(scaled.metadata.generation, 2);
  const stale = apiErrorOf(() => store.update(deployments, { ...v1, spec: { replicas: 5 } }));
  assert.equal(stale.code, 409);
  assert.equal(
    stale.status.message,
    'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
  );
  const missing = apiErrorOf(() => store.update(deployments, deployment('nope')));
  assert.equal(missing.code, 404);
  assert.equal(missing.status.message, 'deployments.apps "nope" not found');
});

test('status subresource: main updates keep status, status updates keep spec, neither bumps generation wrongly', async () => {
  const store = await createStore();
  const created = store.create(deployments, deployment('web'));
  const withStatus = store.update(
    deployments,
    { ...created, status: { replicas: 1 } },
    { subresource: 'status' },
  );
  assert.deepEqual(withStatus.status, { replicas: 1 });
  assert.equal(withStatus.metadata.generation, 1);
  const ignoredStatus = store.update(deployments, {
    ...withStatus,
    spec: { replicas: 2 },
    status: { replicas: 99 },
  });
  assert.deepEqual(ignoredStatus.status, { replicas: 1 });
  assert.equal(ignoredStatus.metadata.generation, 2);
  const ignoredSpec = store.update(
    deployments,
    { ...ignoredStatus, spec: { replicas: 7 }, status: { replicas: 2 } },
    { subresource: 'status' },
  );
  assert.deepEqual(ignoredSpec.spec, { replicas: 2 });
  assert.deepEqual(ignoredSpec.status, { replicas: 2 });
});

test('a no-op update is not a write', async () => {
  const store = await createStore();
  const created = store.create(deployments, deployment('web'));
  const events: StoreEvent[] = [];
  store.watch(deployments, (e) => events.push(e));
  const same = store.update(deployments, { ...created, spec: { replicas: 1 } });
  assert.equal(same.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.equal(events.length, 0);
});

test('watch delivers events synchronously, filters by namespace, and resumes from history', async () => {
  const store = await createStore({ historySize: 5 });
  const seen: string[] = [];
  const stop = store.watch(
    configmaps,
    (e) =>
      seen.push(`${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name} ${e.resourceVersion}`),
    { namespace: 'a' },
  );
  const cm = (ns: string, name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns },
    data: {},
  });
  store.create(configmaps, cm('a', 'one'));
  store.create(configmaps, cm('b', 'two'));
  store.update(configmaps, { ...cm('a', 'one'), data: { k: 'v' } });
  const deleted = store.delete(configmaps, 'a', 'one');
  assert.deepEqual(seen, ['ADDED a/one 1', 'MODIFIED a/one 3', 'DELETED a/one 4']);
  assert.equal(deleted.metadata.resourceVersion, '4');
  stop();
  store.create(configmaps, cm('a', 'three'));
  assert.equal(seen.length, 3);

  const replayed: string[] = [];
  store.watch(configmaps, (e) => replayed.push(`${e.type} ${e.object.metadata.name}`), {
    sinceResourceVersion: 2,
  });
  assert.deepEqual(replayed, ['MODIFIED one', 'DELETED one', 'ADDED three']);
  for (let i = 0; i < 5; i++) store.create(configmaps, cm('b', `n${i}`));
  const gone = apiErrorOf(() => store.watch(configmaps, () => undefined, { sinceResourceVersion: 2 }));
  assert.equal(gone.code, 410);
  assert.equal(gone.status.reason, 'Expired');
  assert.match(gone.status.message, /^too old resource version: 2 \(\d+\)$/);
});

test('delete with preconditions, list order, cluster-scoped objects', async () => {
  const store = await createStore();
  const created = store.create(deployments, deployment('web'));
  const wrongUid = apiErrorOf(() =>
    store.delete(deployments, 'default', 'web', { preconditions: { uid: 'x' } }),
  );
  assert.equal(wrongUid.code, 409);
  assert.match(wrongUid.status.message, /Precondition failed: UID in precondition: x, UID in object meta: /);
  store.delete(deployments, 'default', 'web', {
    preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion },
  });
  assert.equal(store.get(deployments, 'default', 'web'), undefined);
  assert.equal(apiErrorOf(() => store.delete(deployments, 'default', 'web')).code, 404);

  for (const [ns, name] of [
    ['b', 'x'],
    ['a-b', 'y'],
    ['a', 'z'],
    ['a', 'b'],
  ] as const) {
    store.create(deployments, { ...deployment(name), metadata: { name, namespace: ns } });
  }
  assert.deepEqual(
    store.list(deployments).items.map((d) => `${d.metadata.namespace}/${d.metadata.name}`),
    ['a/b', 'a/z', 'a-b/y', 'b/x'],
  );
  assert.deepEqual(
    store.list(deployments, 'a').items.map((d) => d.metadata.name),
    ['b', 'z'],
  );
  const ns = store.create(namespaces, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'prod', namespace: 'ignored' },
  });
  assert.equal(ns.metadata.namespace, undefined);
  assert.equal(store.get(namespaces, undefined, 'prod')!.metadata.name, 'prod');
});

test('persistence: state survives close and reopen; watches from before the restart get 410', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const first = await createStore({ stateDir: dir });
  first.create(deployments, deployment('web', 3));
  first.create(leases, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'lock', namespace: 'default' },
    spec: {},
  });
  await first.close();
  const second = await createStore({ stateDir: dir });
  t.after(() => second.close());
  assert.deepEqual(second.get(deployments, 'default', 'web')!.spec, { replicas: 3 });
  assert.equal(second.currentResourceVersion(), 2);
  const next = second.create(deployments, deployment('api'));
  assert.equal(next.metadata.resourceVersion, '3');
  assert.equal(
    apiErrorOf(() => second.watch(deployments, () => undefined, { sinceResourceVersion: 1 })).code,
    410,
  );
  await second.flush();
  const onDisk = JSON.parse(await readFile(join(dir, 'objects.json'), 'utf8')) as { resourceVersion: number };
  assert.equal(onDisk.resourceVersion, 3);
});

test('persistence: a half-written or corrupt state file is reported with its path and left in place', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'objects.json');
  for (const content of [
    '{"formatVersion":1,"resourceVersion":4,"objects":{"apps/deploy',
    '',
    '{"formatVersion":1,"resourceVersion":"x","objects":{}}',
    '{"formatVersion":1,"resourceVersion":1,"objects":{"nope/things":[{"metadata":{"name":"a"}}]}}',
  ]) {
    await writeFile(file, content);
    await assert.rejects(createStore({ stateDir: dir }), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /corrupt/);
      assert.equal(err.file, file);
      return true;
    });
    assert.equal(await readFile(file, 'utf8'), content);
  }
});
