// The Lease lock against the local API server over real HTTP: acquire/release, waiting in line,
// --no-wait, timeouts, takeover of an expired holder, racing contenders, `await using`, and
// the `lost` signal when another holder takes the lease.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStore } from '../src/local/store/index.js';
import { startApiServer, type ApiServer } from '../src/local/apiserver/index.js';
import { createKubeClient, loadKubeConfig, type KubeClient, type KubeObject } from '../src/kube/index.js';
import { acquireLock, forceRelease, lockStatus, leaseName } from '../src/lock/index.js';
import { LockError } from '../src/errors.js';

const NS = 'default';
const quiet = { debug: () => {}, warn: () => {} };

function clientFor(server: string, retryBaseMs?: number): KubeClient {
  const kubeconfig = JSON.stringify({
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: {} }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: NS } }],
    'current-context': 'x',
  });
  return createKubeClient(
    loadKubeConfig({ kubeconfig: '/k', env: {}, readFile: () => kubeconfig }),
    {},
    { retryBaseMs },
  );
}

const leaseRef = (app: string) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  name: leaseName(app),
  namespace: NS,
});
type LeaseObj = KubeObject & { spec: Record<string, unknown> };

/** Resolves when the predicate holds, polling every 10 ms; fails after the deadline. */
async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Lease lock', () => {
  let api: ApiServer;
  let client: KubeClient;
  let closeStore: () => Promise<void>;
  before(async () => {
    const store = await createStore();
    closeStore = () => store.close();
    api = await startApiServer({ store, port: 0 });
    client = clientFor(api.url);
  });
  after(async () => {
    client.close();
    await api.close();
    await closeStore();
  });

  test('acquire writes a 6-digit MicroTime, identity and operation; release frees it', async () => {
    const lock = await acquireLock(client, {
      namespace: NS,
      app: 'a1',
      waitTimeoutMs: 1000,
      identity: 'ci-4711@host/1',
      operation: { app: 'a1', release: 'r42', phase: 'deploy' },
      deps: { logger: quiet },
    });
    const lease = await client.get<LeaseObj>(leaseRef('a1'));
    assert.equal(lease.spec.holderIdentity, 'ci-4711@host/1');
    assert.match(String(lease.spec.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(String(lease.spec.acquireTime), /\.\d{6}Z$/);
    const status = await lockStatus(client, NS, 'a1');
    assert.equal(status.held, true);
    assert.match(
      status.summary,
      /^lock held by ci-4711@host\/1 since \d\d:\d\d:\d\d UTC \(deploy of release r42\), expires at \d\d:\d\d:\d\d UTC unless renewed$/,
    );
    assert.deepEqual(status.operation, { app: 'a1', release: 'r42', phase: 'deploy' });
    await lock.release();
    const free = await lockStatus(client, NS, 'a1');
    assert.equal(free.held, false);
    assert.equal((await client.get<LeaseObj>(leaseRef('a1'))).spec.holderIdentity, '');
  });

  test('a second holder waits in line and gets the lock after release; the epoch goes up', async () => {
    const first = await acquireLock(client, {
      namespace: NS,
      app: 'a2',
      waitTimeoutMs: 0,
      identity: 'one',
      deps: { logger: quiet },
    });
    let polls = 0;
    const logger = { debug: (m: string) => void (/lock held by one/.test(m) && polls++), warn: () => {} };
    const waits: string[] = [];
    const second = acquireLock(client, {
      namespace: NS,
      app: 'a2',
      waitTimeoutMs: 10_000,
      retryEveryMs: 20,
      identity: 'two',
      deps: { logger },
      onWaiting: (summary) => void waits.push(summary),
    });
    await until('the second to wait', () => polls >= 2);
    await first.release();
    const held = await second;
    assert.equal(held.identity, 'two');
    assert.equal(held.epoch, first.epoch + 1);
    assert.equal(waits.length, 1, 'announced once per holder');
    assert.match(
      waits[0]!,
      /^lock held by one since \d\d:\d\d:\d\d UTC, last renewed \d+ s ago; waiting up to 10 s \(--lock-timeout, --no-wait\)$/,
    );
    await held.release();
  });

  test('--no-wait and a wait timeout give LockError naming the holder and since when', async () => {
    const holder = await acquireLock(client, {
      namespace: NS,
      app: 'a3',
      waitTimeoutMs: 0,
      identity: 'ci-4711',
      deps: { logger: quiet },
    });
    try {
      await assert.rejects(
        acquireLock(client, {
          namespace: NS,
          app: 'a3',
          waitTimeoutMs: 60_000,
          noWait: true,
          identity: 'other',
        }),
        (e: LockError) => {
          assert.ok(e instanceof LockError);
          assert.match(e.message, /^lock held by ci-4711 since \d\d:\d\d:\d\d UTC; not waiting/);
          assert.match(e.remedy ?? '', /cutover lock release --force/);
          return true;
        },
      );
      const t0 = Date.now();
      await assert.rejects(
        acquireLock(client, {
          namespace: NS,
          app: 'a3',
          waitTimeoutMs: 150,
          retryEveryMs: 20,
          identity: 'other',
          deps: { logger: quiet },
        }),
        /lock held by ci-4711 since .*; waited 0\.\d s/,
      );
      assert.ok(Date.now() - t0 >= 150);
    } finally {
      await holder.release();
    }
  });

  test('an expired holder is taken over (renewTime + duration), transitions + 1', async () => {
    // A crashed holder: renewed "now" by its own clock, never again.
    const renewed = Date.now();
    await client.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: leaseName('a4'), namespace: NS },
      spec: {
        holderIdentity: 'dead',
        leaseDurationSeconds: 30,
        acquireTime: new Date(renewed).toISOString().replace('Z', '000Z'),
        renewTime: new Date(renewed).toISOString().replace('Z', '000Z'),
        leaseTransitions: 3,
      },
    });
    // Our clock advances through the waiting sleeps (5 s each): 30 s of waiting costs no real
    // time. Renewal sleeps (1 s) are real, so the held lock does not renew in a hot loop.
    let now = Date.now();
    const warnings: string[] = [];
    const sleep = (ms: number, signal?: AbortSignal) =>
      ms >= 5_000
        ? Promise.resolve(void (now += ms))
        : new Promise<void>((r) => {
            const t = setTimeout(r, ms);
            signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
          });
    const deps = {
      clock: () => now,
      sleep,
      random: () => 0,
      logger: { debug: () => {}, warn: (m: string) => void warnings.push(m) },
    };
    const lock = await acquireLock(client, {
      namespace: NS,
      app: 'a4',
      waitTimeoutMs: 120_000,
      retryEveryMs: 5_000,
      renewEveryMs: 1_000,
      identity: 'alive',
      deps,
    });
    assert.ok(now >= renewed + 30_000, 'waited until renewTime + leaseDurationSeconds');
    assert.ok(now < renewed + 40_000, 'and not a whole duration more');
    assert.equal(lock.epoch, 4);
    assert.match(warnings.join('\n'), /lock held by dead .* expired; taking it over/);
    const lease = await client.get<LeaseObj>(leaseRef('a4'));
    assert.equal(lease.spec.holderIdentity, 'alive');
    assert.equal(lease.spec.leaseTransitions, 4);
    await lock.release();
  });

  test('lock status "expired" means the next run takes it at once; "expires at" is when it does', async () => {
    const micro = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
    const dead = async (app: string, renewedAgoMs: number, seconds: number) => {
      const renewed = Date.now() - renewedAgoMs;
      await client.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: leaseName(app), namespace: NS },
        spec: {
          holderIdentity: 'dead',
          leaseDurationSeconds: seconds,
          acquireTime: micro(renewed),
          renewTime: micro(renewed),
        },
      });
      return renewed + seconds * 1000;
    };
    const take = (app: string) =>
      acquireLock(client, {
        namespace: NS,
        app,
        waitTimeoutMs: 60_000,
        retryEveryMs: 100,
        identity: 'next',
        deps: { logger: quiet },
      });
    // Lapsed 1 s ago: reported expired, at that time, and taken on the first attempt.
    const lapsedAt = await dead('a9', 6_000, 5);
    const st = await lockStatus(client, NS, 'a9');
    assert.equal(st.expired, true);
    assert.equal(Date.parse(st.expiresAt!), Math.floor(lapsedAt / 1000) * 1000 + (lapsedAt % 1000));
    assert.match(
      st.summary,
      /expired at \d\d:\d\d:\d\d UTC \(renewed .* \+ 5 s\): the next run takes it over at once/,
    );
    const started = Date.now();
    const first = await take('a9');
    // Waiting another lease would take 5 s; 3 s leaves room for a loaded machine.
    assert.ok(Date.now() - started < 3_000, `taken in ${Date.now() - started} ms`);
    await first.release();
    // Still valid for ~2 s: reported with the time, and taken right then — not a whole lease
    // duration after the waiting run first saw it.
    const expiresAt = await dead('a10', 1_000, 3);
    const live = await lockStatus(client, NS, 'a10');
    assert.equal(live.expired, false);
    assert.match(live.summary, /expires at \d\d:\d\d:\d\d UTC unless renewed/);
    const second = await take('a10');
    const late = Date.now() - expiresAt;
    assert.ok(late >= 0 && late < 1_500, `taken ${late} ms after it expired`);
    await second.release();
  });

  test('racing contenders hold the lock one after the other, never together', async () => {
    const intervals: Array<[number, number]> = [];
    const contender = async (id: string) => {
      await using lock = await acquireLock(client, {
        namespace: NS,
        app: 'a5',
        waitTimeoutMs: 20_000,
        retryEveryMs: 10,
        identity: id,
        deps: { logger: quiet },
      });
      const start = performance.now();
      await client.list('v1', 'ConfigMap');
      assert.equal(lock.lost.aborted, false);
      intervals.push([start, performance.now()]);
    };
    await Promise.all(['r1', 'r2', 'r3', 'r4'].map(contender));
    assert.equal(intervals.length, 4);
    intervals.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < intervals.length; i++)
      assert.ok(intervals[i]![0] >= intervals[i - 1]![1], 'no overlap');
    assert.equal((await lockStatus(client, NS, 'a5')).held, false, 'await using released the last one');
  });

  test('renewal keeps the lease fresh; a holder whose lease is taken loses it (lost aborts)', async () => {
    const lock = await acquireLock(client, {
      namespace: NS,
      app: 'a6',
      waitTimeoutMs: 0,
      renewEveryMs: 20,
      retryEveryMs: 20,
      identity: 'me',
      deps: { logger: quiet },
    });
    const firstRenew = (await client.get<LeaseObj>(leaseRef('a6'))).spec.renewTime;
    await until(
      'a renewal',
      async () => (await client.get<LeaseObj>(leaseRef('a6'))).spec.renewTime !== firstRenew,
    );
    const before = await forceRelease(client, NS, 'a6');
    assert.equal(before.holder, 'me');
    const thief = await acquireLock(client, {
      namespace: NS,
      app: 'a6',
      waitTimeoutMs: 0,
      identity: 'thief',
      deps: { logger: quiet },
    });
    await until('lost to abort', () => lock.lost.aborted);
    assert.throws(() => lock.assertHeld(), LockError);
    await lock.release(); // a no-op for a lost lock: it must not free the thief's lease
    assert.equal((await lockStatus(client, NS, 'a6')).holder, 'thief');
    await thief.release();
  });

  test('a renewal PUT that conflicts with another write re-reads and renews: the lock is kept', async () => {
    const lock = await acquireLock(client, {
      namespace: NS,
      app: 'a8',
      waitTimeoutMs: 0,
      renewEveryMs: 20,
      retryEveryMs: 20,
      identity: 'me',
      deps: { logger: quiet },
    });
    // Someone else writes the lease (here: a label), so our next PUT carries a stale resourceVersion.
    const patched = await client.mergePatch<LeaseObj>(leaseRef('a8'), {
      metadata: { labels: { touched: 'yes' } },
    });
    await until('a renewal after the conflict', async () => {
      const lease = await client.get<LeaseObj>(leaseRef('a8'));
      return Number(lease.metadata.resourceVersion) > Number(patched.metadata.resourceVersion);
    });
    const lease = await client.get<LeaseObj>(leaseRef('a8'));
    assert.equal(lease.spec.holderIdentity, 'me');
    assert.equal(lease.metadata.labels?.touched, 'yes', 'the other write was not lost');
    assert.equal(lock.lost.aborted, false);
    await lock.release();
  });

  test('renewals failing past the deadline abort lost; the lease is left to expire', async (t) => {
    // A real proxy in front of the API server that starts answering 503 when told to.
    let failing = false;
    const proxy = http.createServer((req, res) => {
      if (failing)
        return res
          .writeHead(503, { 'content-type': 'application/json' })
          .end('{"kind":"Status","code":503,"reason":"ServiceUnavailable","message":"down"}');
      const up = http.request(
        `${api.url}${req.url}`,
        { method: req.method, headers: req.headers },
        (r) => (res.writeHead(r.statusCode ?? 502, r.headers), r.pipe(res)),
      );
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const viaProxy = clientFor(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, 1);
    t.after(() => (viaProxy.close(), proxy.closeAllConnections(), new Promise((r) => proxy.close(r))));
    const warnings: string[] = [];
    const lock = await acquireLock(viaProxy, {
      namespace: NS,
      app: 'a7',
      waitTimeoutMs: 0,
      renewEveryMs: 20,
      retryEveryMs: 20,
      renewDeadlineMs: 200,
      identity: 'me',
      deps: { logger: { debug: () => {}, warn: (m) => void warnings.push(m) } },
    });
    failing = true;
    await until('lost to abort', () => lock.lost.aborted);
    assert.match(String(lock.lost.reason), /no renewal for \d+ ms/);
    assert.ok(warnings.some((w) => /renewing lock default\/a7-cutover-lock failed/.test(w)));
    await lock.release();
    assert.equal(
      (await lockStatus(client, NS, 'a7')).holder,
      'me',
      'a lost lock is not released: it expires',
    );
  });
});
