// The lock's release through the fault proxy: a 409 on the release PUT makes it re-read the Lease
// and release it if this process still holds it, however many 409s come; if another holder has
// it meanwhile, the release leaves it alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from '../src/local/store/index.js';
import { startApiServer, type ApiServer } from '../src/local/apiserver/index.js';
import { createKubeClient, loadKubeConfig, type KubeClient, type KubeObject } from '../src/kube/index.js';
import { acquireLock, leaseName } from '../src/lock/index.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';

const NS = 'default';
let api: ApiServer;
let proxy: FaultProxy;
let direct: KubeClient;
let closeStore: () => Promise<void>;

function clientFor(server: string): KubeClient {
  const kubeconfig = JSON.stringify({
    clusters: [{ name: 'c', cluster: { server } }],
    users: [{ name: 'u', user: {} }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: NS } }],
    'current-context': 'x',
  });
  return createKubeClient(loadKubeConfig({ kubeconfig: '/k', env: {}, readFile: () => kubeconfig }));
}
const warnings: string[] = [];
const deps = { logger: { debug: () => {}, warn: (m: string) => void warnings.push(m) } };

before(async () => {
  const store = await createStore();
  closeStore = () => store.close();
  api = await startApiServer({ store, port: 0 });
  proxy = await startFaultProxy({ target: api.url });
  direct = clientFor(api.url);
});
after(async () => {
  direct.close();
  await proxy.close();
  await api.close();
  await closeStore();
});

const holder = async (app: string) =>
  (
    await direct.get<KubeObject & { spec: { holderIdentity?: string } }>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      name: leaseName(app),
      namespace: NS,
    })
  ).spec.holderIdentity;

/** 409 on the first `count` PUTs to the lease after arming. */
function conflictsOnPut(count: number): void {
  let left = count;
  proxy.setPlan((_n, req) => (req.method === 'PUT' && left-- > 0 ? '409' : undefined));
}

test('409s on the release PUT: re-read, still ours, released', async () => {
  const client = clientFor(proxy.url);
  try {
    const lock = await acquireLock(client, {
      namespace: NS,
      app: 'rel1',
      identity: 'me',
      waitTimeoutMs: 0,
      deps,
    });
    conflictsOnPut(3);
    await lock.release();
    proxy.setPlan(undefined);
    assert.equal(await holder('rel1'), '', 'released: no holder');
    assert.equal(
      warnings.filter((w) => /release lock default\/.*rel1.*: conflict .* re-reading/.test(w)).length,
      3,
    );
  } finally {
    client.close();
  }
});

test('409 on the release PUT and another holder has it now: left alone', async () => {
  const client = clientFor(proxy.url);
  try {
    const lock = await acquireLock(client, {
      namespace: NS,
      app: 'rel2',
      identity: 'me',
      waitTimeoutMs: 0,
      deps,
    });
    // Someone takes the lease over (as after an expiry) behind our back.
    const ref = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      name: leaseName('rel2'),
      namespace: NS,
    };
    const lease = await direct.get<KubeObject & { spec: Record<string, unknown> }>(ref);
    await direct.replace({ ...lease, spec: { ...lease.spec, holderIdentity: 'thief' } });
    await lock.release();
    assert.equal(await holder('rel2'), 'thief');
  } finally {
    client.close();
  }
});
