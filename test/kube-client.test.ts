// The cluster access layer against the local API server over real HTTP: CRUD, typed errors,
// merge patch on a VirtualService, watch, retries of transient failures (through a real
// fault-injecting proxy in front of the server) and unreachable servers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStore } from '../src/local/store/index.js';
import { startApiServer, type ApiServer } from '../src/local/apiserver/index.js';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidError,
  NotFoundError,
  createKubeClient,
  loadKubeConfig,
  type KubeClient,
  type KubeDeps,
  type KubeObject,
} from '../src/kube/index.js';
import { UnreachableError } from '../src/errors.js';

function kubeconfigFor(server: string, namespace = 'default'): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace } }],
    'current-context': 'ctx',
  });
}

function clientFor(server: string, deps: Partial<KubeDeps> = {}): KubeClient {
  const config = loadKubeConfig({
    kubeconfig: '/kubeconfig',
    env: {},
    readFile: () => kubeconfigFor(server),
  });
  return createKubeClient(config, { sleep: async () => {}, ...deps }, { retryBaseMs: 1 });
}

const vs = (name: string): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, labels: { app: 'myapp' } },
  spec: {
    hosts: ['*'],
    gateways: ['myapp-gateway'],
    http: [
      {
        name: 'test',
        match: [{ headers: { cookie: { regex: '^(.*?;\\s*)?test=true(;.*)?$' } } }],
        route: [{ destination: { host: 'myapp', subset: 'green' } }],
      },
      { name: 'default', route: [{ destination: { host: 'myapp', subset: 'blue' } }] },
    ],
  },
});

describe('KubeClient against the local API server', () => {
  let api: ApiServer;
  let client: KubeClient;
  let closeStore: () => Promise<void>;

  before(async () => {
    const store = await createStore();
    closeStore = () => store.close();
    api = await startApiServer({ store, host: '127.0.0.1', port: 0 });
    client = clientFor(api.url);
  });
  after(async () => {
    client.close();
    await api.close();
    await closeStore();
  });

  test('create, get, list with a label selector, replace, delete', async () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c1', labels: { app: 'a' } },
      data: { k: 'v' },
    };
    const created = await client.create(cm);
    assert.ok(created.metadata.resourceVersion);
    assert.equal(created.metadata.namespace, 'default');
    await client.create({ ...cm, metadata: { name: 'c2', labels: { app: 'b' } } });
    const got = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'c1' });
    assert.deepEqual(got.data, { k: 'v' });
    const listed = await client.list('v1', 'ConfigMap', 'default', { labelSelector: 'app=a' });
    assert.deepEqual(
      listed.items.map((i) => i.metadata.name),
      ['c1'],
    );
    assert.equal(listed.items[0]!.kind, 'ConfigMap');
    assert.ok(listed.resourceVersion);
    const replaced = await client.replace({ ...got, data: { k: 'w' } });
    assert.notEqual(replaced.metadata.resourceVersion, got.metadata.resourceVersion);
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', name: 'c1' });
    assert.equal(await client.getOptional({ apiVersion: 'v1', kind: 'ConfigMap', name: 'c1' }), undefined);
  });

  test('typed errors: NotFound, AlreadyExists, Conflict on a stale resourceVersion, Invalid', async () => {
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'missing' };
    await assert.rejects(client.get(ref), NotFoundError);
    await assert.rejects(client.delete(ref), NotFoundError);
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' }, data: {} };
    const first = await client.create(cm);
    await assert.rejects(client.create(cm), AlreadyExistsError);
    await client.replace({ ...first, data: { a: '1' } });
    await assert.rejects(client.replace({ ...first, data: { a: '2' } }), ConflictError);
    await assert.rejects(
      client.delete({ ...ref, name: 'dup' }, { resourceVersion: first.metadata.resourceVersion }),
      ConflictError,
    );
    await assert.rejects(
      client.replace({ ...first, metadata: { name: 'dup' } }),
      InvalidError,
      'PUT without resourceVersion is refused before sending',
    );
    await assert.rejects(
      client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } }),
      InvalidError,
    );
  });

  test('merge patch on a VirtualService replaces the http list and is resourceVersion-checked', async () => {
    const created = await client.create(vs('myapp'));
    const ref = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'myapp' };
    const before = api.requestCounts();
    const patched = await client.mergePatch(ref, {
      spec: { http: [{ name: 'default', route: [{ destination: { host: 'myapp', subset: 'green' } }] }] },
    });
    const http = (
      patched.spec as { http: Array<{ name: string; route: Array<{ destination: { subset: string } }> }> }
    ).http;
    assert.equal(http.length, 1);
    assert.equal(http[0]!.route[0]!.destination.subset, 'green');
    assert.equal((patched.spec as { hosts: string[] }).hosts[0], '*');
    const after = api.requestCounts();
    assert.equal(
      (after['PATCH virtualservices'] ?? 0) - (before['PATCH virtualservices'] ?? 0),
      1,
      'one request, no GET first',
    );
    await assert.rejects(
      client.mergePatch(ref, {
        metadata: { resourceVersion: created.metadata.resourceVersion },
        spec: { hosts: ['x'] },
      }),
      ConflictError,
    );
    // Istio kinds are custom resources: an unconditional PUT is refused by the server as well.
    const current = await client.get(ref);
    await assert.doesNotReject(client.replace(current));
  });

  test('requestCount counts every request', async () => {
    const start = client.requestCount;
    await client.list('apps/v1', 'Deployment');
    await client.getOptional({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nope' });
    assert.equal(client.requestCount - start, 2);
  });

  test('watch delivers events after a list resourceVersion and stops on abort', async () => {
    const list = await client.list('v1', 'ConfigMap');
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const ev of client.watch('v1', 'ConfigMap', {
        resourceVersion: list.resourceVersion,
        signal: ac.signal,
      })) {
        if (ev.type === 'BOOKMARK') continue;
        seen.push(`${ev.type} ${ev.object.metadata.name}`);
        if (seen.length === 2) ac.abort();
      }
    })();
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1' } });
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', name: 'w1' });
    await done;
    assert.deepEqual(seen, ['ADDED w1', 'DELETED w1']);
  });

  test('discovery for a kind outside the built-in table', async () => {
    const list = await client.list('v1', 'Namespace', '');
    assert.ok(list.items.some((n) => n.metadata.name === 'istio-system'));
    await assert.rejects(client.list('v1', 'NoSuchKind'), InvalidError);
  });

  test('retries 503 and 429 for reads; a create after a 503 is read back before it is sent again', async () => {
    const proxy = await faultProxy(api.url, (n, req) => (n <= 2 ? (req.method === 'GET' ? 503 : 429) : 0));
    const sleeps: number[] = [];
    const c = clientFor(proxy.url, { sleep: async (ms) => void sleeps.push(ms) });
    try {
      await c.list('v1', 'ConfigMap');
      assert.equal(c.requestCount, 3);
      assert.equal(sleeps.length, 2);
      proxy.reset((n) => (n === 1 ? 503 : 0));
      const before = c.requestCount;
      await c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r1' } });
      assert.equal(c.requestCount - before, 3, 'POST (503), GET (absent), POST');
      proxy.reset((n) => (n <= 10 ? 500 : 0));
      await assert.rejects(
        c.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }),
        (e: Error) => (e as { code?: number }).code === 500,
      );
    } finally {
      c.close();
      await proxy.close();
    }
  });

  test('a reset connection is retried for GET', async () => {
    const proxy = await faultProxy(api.url, (n) => (n === 1 ? -1 : 0));
    const c = clientFor(proxy.url);
    try {
      const list = await c.list('v1', 'ConfigMap');
      assert.ok(Array.isArray(list.items));
      assert.equal(c.requestCount, 2);
    } finally {
      c.close();
      await proxy.close();
    }
  });

  test('401 and 403 become UnreachableError (exit 5) with a remedy', async () => {
    const proxy = await faultProxy(api.url, (n) => (n === 1 ? 401 : 403));
    const c = clientFor(proxy.url);
    try {
      await assert.rejects(
        c.list('v1', 'Pod'),
        (e: UnreachableError) => e instanceof UnreachableError && /credentials/.test(e.remedy ?? ''),
      );
      await assert.rejects(
        c.list('v1', 'Pod'),
        (e: UnreachableError) => e instanceof UnreachableError && /RBAC/.test(e.remedy ?? ''),
      );
    } finally {
      c.close();
      await proxy.close();
    }
  });
});

test('a server that is not there: UnreachableError naming the server, no retries', async () => {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const c = clientFor(`http://127.0.0.1:${port}`);
  await assert.rejects(c.get({ apiVersion: 'v1', kind: 'Pod', name: 'p' }), (e: UnreachableError) => {
    assert.ok(e instanceof UnreachableError);
    assert.match(e.message, new RegExp(`127.0.0.1:${port}.*connection refused`));
    assert.match(e.remedy ?? '', /cluster is up/);
    return true;
  });
  assert.equal(c.requestCount, 1);
  c.close();
});

test('a server that accepts but never answers: timeout, retried for GET, then UnreachableError', async () => {
  const silent = http.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const config = loadKubeConfig({ kubeconfig: '/k', env: {}, readFile: () => kubeconfigFor(url) });
  const c = createKubeClient(config, { sleep: async () => {} }, { requestTimeoutMs: 50, maxAttempts: 2 });
  try {
    await assert.rejects(
      c.list('v1', 'Pod'),
      (e: UnreachableError) =>
        e instanceof UnreachableError &&
        new RegExp(`no response headers from ${url} within 50 ms \\(gave up after 2 attempts`).test(
          e.message,
        ),
    );
    assert.equal(c.requestCount, 2);
  } finally {
    c.close();
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  }
});

/**
 * A real HTTP proxy in front of the API server that answers request n (1-based) with the
 * status `plan` returns (0 = forward, -1 = reset the connection).
 */
async function faultProxy(target: string, plan: (n: number, req: http.IncomingMessage) => number) {
  let n = 0;
  let current = plan;
  const server = http.createServer((req, res) => {
    const action = current(++n, req);
    if (action === -1) return req.socket.destroy();
    if (action > 0) {
      res.writeHead(action, { 'content-type': 'application/json', 'retry-after': '0' });
      return res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          code: action,
          reason: 'Injected',
          message: `injected ${action}`,
        }),
      );
    }
    const up = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reset(next: (n: number, req: http.IncomingMessage) => number) {
      n = 0;
      current = next;
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
