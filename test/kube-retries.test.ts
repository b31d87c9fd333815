// Riding out a flaky API server: the client against the local API server through the fault
// proxy (test/helpers/fault-proxy.ts), over real HTTP. Reads are retried and each retry is logged;
// a write whose answer was lost is read back before anything is sent again; conditional writes
// are never repeated blindly; the four clocks name the server; an AbortSignal stops everything.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from '../src/local/store/index.js';
import { startApiServer, type ApiServer } from '../src/local/apiserver/index.js';
import {
  ConflictError,
  KubeApiError,
  RequestAbortedError,
  createKubeClient,
  loadKubeConfig,
  type KubeClient,
  type KubeClientOptions,
  type KubeObject,
  unsettledWriteOf,
} from '../src/kube/index.js';
import { UnreachableError } from '../src/errors.js';
import { startFaultProxy, type FaultKind, type FaultProxy } from './helpers/fault-proxy.js';

let api: ApiServer;
let proxy: FaultProxy;
let closeStore: () => Promise<void>;
/** Method and path of every request the proxy saw, with the fault it got. */
let seen: string[] = [];

before(async () => {
  const store = await createStore();
  closeStore = () => store.close();
  api = await startApiServer({ store, host: '127.0.0.1', port: 0 });
  proxy = await startFaultProxy({ target: api.url, retryAfterSeconds: 0 });
});
after(async () => {
  await proxy.close();
  await api.close();
  await closeStore();
});

/** Script the proxy: `faults[i]` is the fault for request i+1 (undefined = forward). */
function script(...faults: Array<FaultKind | undefined>): void {
  seen = [];
  proxy.setPlan((n, req) => {
    const fault = faults[n - 1];
    seen.push(`${req.method} ${req.url?.split('?')[0]}${fault ? ` ${fault}` : ''}`);
    return fault;
  });
}

/** Request clocks of the tests: long enough for a loaded machine, short enough to wait out. */
const CLOCK_MS = 1000;

interface Harness {
  client: KubeClient;
  warnings: string[];
  sleeps: number[];
}

function harness(options: KubeClientOptions = {}): Harness {
  const kubeconfig = JSON.stringify({
    clusters: [{ name: 'c', cluster: { server: proxy.url } }],
    users: [{ name: 'u', user: {} }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
    'current-context': 'ctx',
  });
  const warnings: string[] = [];
  const sleeps: number[] = [];
  const client = createKubeClient(
    loadKubeConfig({ kubeconfig: '/k', env: {}, readFile: () => kubeconfig }),
    {
      sleep: async (ms) => void sleeps.push(ms),
      logger: { debug: () => {}, warn: (m) => void warnings.push(m) },
    },
    { requestTimeoutMs: CLOCK_MS, idleTimeoutMs: CLOCK_MS, watchIdleTimeoutMs: CLOCK_MS, ...options },
  );
  return { client, warnings, sleeps };
}

const cm = (name: string, data: Record<string, string> = { a: '1' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels: { app: 'retries' } },
  data,
});
const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'default' });

describe('reads', () => {
  test('every transient fault is retried, each retry logged with its reason', async () => {
    const h = harness();
    try {
      await h.client.create(cm('r-read'));
      h.warnings.length = 0;
      h.sleeps.length = 0;
      script('500', '503', '429', 'reset', 'stall', 'hang');
      const got = await h.client.get(ref('r-read'));
      assert.equal(got.metadata.name, 'r-read');
      assert.equal(seen.length, 7);
      assert.equal(h.warnings.length, 6, h.warnings.join('\n'));
      const reasons = [
        /500 InternalError/,
        /503 ServiceUnavailable/,
        /429 TooManyRequests/,
        /connection reset/,
      ];
      reasons.forEach((re, i) => assert.match(h.warnings[i]!, re));
      assert.match(
        h.warnings[4]!,
        new RegExp(`stalled: no data from http://127.0.0.1:\\d+ within ${CLOCK_MS} ms`),
      );
      assert.match(
        h.warnings[5]!,
        new RegExp(`no response headers from http://127.0.0.1:\\d+ within ${CLOCK_MS} ms`),
      );
      for (const w of h.warnings)
        assert.match(w, /^get configmaps default\/r-read: .*retrying in \d+ ms \(attempt \d of 8\)$/);
      // Exponential with jitter, Retry-After 0 honoured for the 429.
      assert.equal(h.sleeps[2], 0);
      assert.ok(h.sleeps[0]! >= 100 && h.sleeps[0]! <= 200, String(h.sleeps[0]));
      assert.ok(h.sleeps[3]! >= 800 && h.sleeps[3]! <= 1600, String(h.sleeps[3]));
    } finally {
      h.client.close();
    }
  });

  test('bounded: a server that keeps failing is reported with the fault, the server and the tries', async () => {
    const h = harness({ maxAttempts: 3 });
    try {
      script('503', '503', '503');
      await assert.rejects(h.client.list('v1', 'ConfigMap'), (e: KubeApiError) => {
        assert.ok(e instanceof KubeApiError && e.code === 503);
        assert.match(
          e.message,
          /^list configmaps in default: the API server at http:\/\/127.0.0.1:\d+ answered 503 ServiceUnavailable: injected fault 503 .* \(gave up after 3 attempts in [\d.]+ s\)$/,
        );
        return true;
      });
      assert.equal(seen.length, 3);
    } finally {
      h.client.close();
    }
  });

  test('the retry budget stops retries even with attempts left', async () => {
    const h = harness({ retryBudgetMs: 1000, retryBaseMs: 400 });
    try {
      script('500', '500', '500', '500', '500');
      await assert.rejects(h.client.get(ref('nope')), /gave up after \d attempts/);
      assert.ok(seen.length < 5, `stopped by the budget, not attempts: ${seen.length}`);
    } finally {
      h.client.close();
    }
  });

  test('a body cut off halfway is read again, and never parsed half', async () => {
    const h = harness();
    try {
      await h.client.create(cm('r-cut', { a: 'x'.repeat(4096) }));
      h.warnings.length = 0;
      script('truncate', 'truncate');
      const got = await h.client.get<KubeObject & { data: Record<string, string> }>(ref('r-cut'));
      assert.equal(got.data.a, 'x'.repeat(4096));
      assert.deepEqual(seen, [
        'GET /api/v1/namespaces/default/configmaps/r-cut truncate',
        'GET /api/v1/namespaces/default/configmaps/r-cut truncate',
        'GET /api/v1/namespaces/default/configmaps/r-cut',
      ]);
      assert.equal(h.warnings.length, 2, h.warnings.join('\n'));
      for (const w of h.warnings) assert.match(w, /connection reset.*retrying in \d+ ms/);
    } finally {
      h.client.close();
    }
  });

  test('a whole-request clock bounds a slow body', async () => {
    const h = harness({ requestTimeoutMs: 200, totalTimeoutMs: 250, idleTimeoutMs: 5000, maxAttempts: 1 });
    try {
      script('stall');
      await assert.rejects(h.client.get(ref('nope')), (e: UnreachableError) => {
        assert.ok(e instanceof UnreachableError);
        assert.match(e.message, /the request did not finish from http:\/\/127.0.0.1:\d+ within 250 ms/);
        return true;
      });
    } finally {
      h.client.close();
    }
  });
});

describe('writes whose answer is lost', () => {
  test('create: a 503 before the server read back as absent, so it is sent again', async () => {
    const h = harness();
    try {
      script('503');
      const made = await h.client.create(cm('w-create-503'));
      assert.equal(made.metadata.name, 'w-create-503');
      assert.deepEqual(seen, [
        'POST /api/v1/namespaces/default/configmaps 503',
        'GET /api/v1/namespaces/default/configmaps/w-create-503',
        'POST /api/v1/namespaces/default/configmaps',
      ]);
      assert.match(h.warnings[0]!, /outcome is unknown; reading the object back/);
    } finally {
      h.client.close();
    }
  });

  test('create: a reset after the server acted is read back as done and not sent again', async () => {
    const h = harness();
    try {
      script('reset');
      const made = await h.client.create(cm('w-create-reset'));
      assert.ok(made.metadata.resourceVersion);
      assert.deepEqual(seen, [
        'POST /api/v1/namespaces/default/configmaps reset',
        'GET /api/v1/namespaces/default/configmaps/w-create-reset',
      ]);
      assert.match(h.warnings.at(-1)!, /earlier attempt took effect/);
    } finally {
      h.client.close();
    }
  });

  test('replace: stalled after the server acted → done; 503 before it → sent again, still conditional', async () => {
    const h = harness();
    try {
      const first = await h.client.create(cm('w-replace'));
      script('stall');
      const second = await h.client.replace({ ...first, data: { a: '2' } });
      assert.equal((second.data as Record<string, string>).a, '2');
      assert.equal(seen.filter((s) => s.startsWith('PUT')).length, 1);
      script('503');
      const third = await h.client.replace({ ...second, data: { a: '3' } });
      assert.equal((third.data as Record<string, string>).a, '3');
      assert.equal(seen.filter((s) => s.startsWith('PUT')).length, 2);
    } finally {
      h.client.close();
    }
  });

  test('replace: lost answer and another writer meanwhile → ConflictError, nothing re-sent', async () => {
    const h = harness();
    const other = harness();
    try {
      const first = await h.client.create(cm('w-replace-race'));
      // Another writer changes the object; our PUT (from the old read) reaches the server, which
      // refuses it, and the answer is lost: reading back shows a change that is not ours.
      script(undefined, 'reset');
      await other.client.replace({ ...first, data: { a: 'theirs' } });
      await assert.rejects(h.client.replace({ ...first, data: { a: 'ours' } }), ConflictError);
      const now = await other.client.get(ref('w-replace-race'));
      assert.equal((now.data as Record<string, string>).a, 'theirs');
      assert.equal(seen.filter((s) => s.startsWith('PUT')).length, 2);
    } finally {
      h.client.close();
      other.client.close();
    }
  });

  test('409: a conditional patch is not repeated; an unconditional one is', async () => {
    const h = harness();
    try {
      const obj = await h.client.create(cm('w-patch'));
      script('409');
      await assert.rejects(
        h.client.mergePatch(ref('w-patch'), {
          metadata: { resourceVersion: obj.metadata.resourceVersion },
          data: { b: '1' },
        }),
        ConflictError,
      );
      assert.equal(seen.length, 1);
      script('409');
      const patched = await h.client.mergePatch(ref('w-patch'), { data: { b: '2' } });
      assert.equal((patched.data as Record<string, string>).b, '2');
      assert.equal(seen.length, 2);
    } finally {
      h.client.close();
    }
  });

  test('a lost answer whose read-back fails, or whose tries run out, leaves an unsettled write that a later read settles', async () => {
    const h = harness({ maxAttempts: 2 });
    try {
      const obj = await h.client.create(cm('w-unsettled'));
      // The PATCH is applied and its answer lost; both reads of the read-back are reset too.
      script('reset', 'reset', 'reset');
      const patch = { metadata: { resourceVersion: obj.metadata.resourceVersion }, data: { a: '2' } };
      const err = await h.client.mergePatch(ref('w-unsettled'), patch).then(
        () => assert.fail('the read-back failed: the outcome is not known'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof UnreachableError, String(err));
      assert.match(err.message, /the answer was lost .* and reading the object back failed/);
      const lost = unsettledWriteOf(err);
      assert.equal(lost?.what, 'patch configmaps default/w-unsettled');
      assert.equal(lost?.judge(await h.client.getOptional(ref('w-unsettled'))).outcome, 'applied');
      // Tries spent: a 429 (throttled, not applied), then a reset after the server acted.
      const current = await h.client.get(ref('w-unsettled'));
      script('429', 'reset');
      const spent = await h.client.replace({ ...current, data: { a: '3' } }).then(
        () => assert.fail('out of tries'),
        (e: unknown) => e,
      );
      assert.equal(
        unsettledWriteOf(spent)?.judge(await h.client.getOptional(ref('w-unsettled'))).outcome,
        'applied',
      );
      // An answered failure is settled: nothing to read later.
      script('409');
      const refused = await h.client.mergePatch(ref('w-unsettled'), patch).catch((e: unknown) => e);
      assert.ok(refused instanceof ConflictError);
      assert.equal(unsettledWriteOf(refused), undefined);
    } finally {
      h.client.close();
    }
  });

  test('delete: a reset after the server acted is read back as done', async () => {
    const h = harness();
    try {
      const obj = await h.client.create(cm('w-delete'));
      script('reset');
      await h.client.delete(ref('w-delete'), { resourceVersion: obj.metadata.resourceVersion });
      assert.equal(await h.client.getOptional(ref('w-delete')), undefined);
      assert.equal(seen.filter((s) => s.startsWith('DELETE')).length, 1);
    } finally {
      h.client.close();
    }
  });
});

describe('AbortSignal', () => {
  test("the client's signal stops a hung request at once", async () => {
    const ac = new AbortController();
    const h = harness({ signal: ac.signal, requestTimeoutMs: 60_000 });
    try {
      script('hang');
      const started = Date.now();
      const pending = h.client.get(ref('nope'));
      setTimeout(() => ac.abort(new Error('SIGTERM')), 50);
      await assert.rejects(pending, (e: RequestAbortedError) => {
        assert.ok(e instanceof RequestAbortedError);
        assert.match(e.message, /get configmaps default\/nope: stopped before it finished \(SIGTERM\)/);
        return true;
      });
      assert.ok(Date.now() - started < 5000);
      await assert.rejects(h.client.list('v1', 'ConfigMap'), RequestAbortedError);
    } finally {
      h.client.close();
    }
  });

  test("a call's own signal stops it while it waits to retry", async () => {
    const ac = new AbortController();
    const kubeconfig = JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: proxy.url } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    });
    const client = createKubeClient(
      loadKubeConfig({ kubeconfig: '/k', env: {}, readFile: () => kubeconfig }),
      {
        logger: { debug: () => {}, warn: () => ac.abort('deadline') },
      },
    );
    try {
      script('503', '503');
      await assert.rejects(
        client.get(ref('nope'), { signal: ac.signal }),
        /stopped before it finished \(deadline\)/,
      );
      assert.equal(seen.length, 1);
    } finally {
      client.close();
    }
  });
});

describe('watch', () => {
  test('a stalled stream is re-established from the last resourceVersion: no event lost', async () => {
    const h = harness();
    try {
      const list = await h.client.list('v1', 'ConfigMap');
      let watches = 0;
      // The first watch request stalls after its headers (the event sent on it never arrives).
      proxy.setPlan((_n, req) => (req.url?.includes('watch=true') && ++watches === 1 ? 'stall' : undefined));
      const ac = new AbortController();
      const events: string[] = [];
      const labelled = (name: string) => ({ ...cm(name), metadata: { name, labels: { app: 'watch' } } });
      const watching = (async () => {
        for await (const ev of h.client.watch('v1', 'ConfigMap', {
          resourceVersion: list.resourceVersion,
          labelSelector: 'app=watch',
          signal: ac.signal,
        })) {
          if (ev.type === 'BOOKMARK') continue;
          events.push(`${ev.type} ${ev.object.metadata.name}`);
          if (events.length === 1) await h.client.create(labelled('watch-2'));
          if (events.length === 2) ac.abort();
        }
      })();
      await h.client.create(labelled('watch-1'));
      await watching;
      assert.deepEqual(events, ['ADDED watch-1', 'ADDED watch-2']);
      assert.equal(watches, 2);
      assert.ok(
        h.warnings.some((w) =>
          new RegExp(
            `^watch configmaps in default: the stream from http:\\S+ dropped \\(the response stalled: no data .* within ${CLOCK_MS} ms\\); re-establishing from resourceVersion \\d+ in \\d+ ms$`,
          ).test(w),
        ),
        h.warnings.join('\n'),
      );
    } finally {
      h.client.close();
    }
  });
});
