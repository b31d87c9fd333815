// The gateway sees changes `propagationDelayMs` late (routes and endpoints alike), keeps
// keep-alive connections and in-flight requests working across changes, and loses no request
// while routes switch and pods come and go in make-before-break order.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import {
  put,
  putEndpoints,
  seedApp,
  send,
  startHarness,
  startPod,
  visible,
  waitFor,
  type Harness,
} from './gateway-fixtures.js';

const to = (subset: string) => [{ route: [{ destination: { host: 'myapp', subset } }] }];
const putRoute = (h: Harness, subset: string) =>
  put(h.store, 'virtualservices', 'default', 'myapp', {
    spec: { hosts: ['*'], gateways: ['myapp-gateway'], http: to(subset) },
  });

async function podOf(h: Harness, agent?: Agent): Promise<string> {
  const r = await send(h.gateway.url, '/', { agent });
  return r.status === 200 ? r.json().pod : `${r.status} ${r.body}`;
}

/** Sends requests back to back until `want` answers; returns when each answer arrived, relative to t0. */
async function observeSwitch(
  h: Harness,
  t0: number,
  want: string,
  timeoutMs = 3000,
): Promise<Array<{ at: number; pod: string }>> {
  const seen: Array<{ at: number; pod: string }> = [];
  const deadline = t0 + timeoutMs;
  for (;;) {
    const pod = await podOf(h);
    seen.push({ at: performance.now() - t0, pod });
    if (pod === want) return seen;
    if (performance.now() > deadline)
      throw new Error(`never saw ${want}; last answers: ${JSON.stringify(seen.slice(-3))}`);
  }
}

describe('gateway propagation delay', () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('applies a route change only after the delay, and a new delay to later changes', async () => {
    const h = await startHarness(300);
    const { blue, green } = await seedApp(h);
    cleanup.push(
      () => h.close(),
      () => blue.close(),
      () => green.close(),
    );
    await visible(h, putRoute(h, 'blue'), 3000);
    assert.equal(await podOf(h), 'myapp-blue-1');

    const t0 = performance.now();
    putRoute(h, 'green');
    const seen = await observeSwitch(h, t0, 'myapp-green-1');
    const early = seen.filter((s) => s.at < 300);
    assert.ok(early.length > 0, 'requests were answered during the delay');
    assert.ok(
      early.every((s) => s.pod === 'myapp-blue-1'),
      `no switch before 300 ms: ${JSON.stringify(early)}`,
    );
    assert.ok(seen.at(-1)!.at >= 300, `switched at ${seen.at(-1)!.at} ms`);

    h.gateway.setPropagationDelay(20);
    const t1 = performance.now();
    putRoute(h, 'blue');
    const back = await observeSwitch(h, t1, 'myapp-blue-1');
    assert.ok(
      back.at(-1)!.at >= 20 && back.at(-1)!.at < 300,
      `switched back at ${back.at(-1)!.at} ms with a 20 ms delay`,
    );
  });

  it('delays endpoint changes too: a pod removed from Endpoints keeps traffic until the delay passes', async () => {
    const h = await startHarness(250);
    const { blue, green } = await seedApp(h);
    cleanup.push(
      () => h.close(),
      () => blue.close(),
      () => green.close(),
    );
    await visible(h, putRoute(h, 'blue'), 3000);
    const t0 = performance.now();
    putEndpoints(h.store, 'default', 'myapp', [green]);
    const seen = await observeSwitch(h, t0, '503 no healthy upstream');
    assert.ok(
      seen.filter((s) => s.at < 250).every((s) => s.pod === 'myapp-blue-1'),
      JSON.stringify(seen),
    );
    assert.ok(seen.at(-1)!.at >= 250);
  });

  it('applies a burst of changes in order, each after its own delay', async () => {
    const h = await startHarness(150);
    const { blue, green } = await seedApp(h);
    cleanup.push(
      () => h.close(),
      () => blue.close(),
      () => green.close(),
    );
    await visible(h, putRoute(h, 'blue'), 3000);
    const t0 = performance.now();
    putRoute(h, 'green');
    await new Promise((r) => setTimeout(r, 100));
    const last = putRoute(h, 'blue');
    const seen = await observeSwitch(h, t0, 'myapp-green-1');
    assert.ok(seen.at(-1)!.at >= 150);
    await visible(h, last, 3000);
    assert.equal(await podOf(h), 'myapp-blue-1');
  });
});

describe('gateway connections across changes', () => {
  it('keeps a keep-alive connection working across route changes and finishes in-flight requests on their route', async () => {
    const h = await startHarness(0);
    const { blue, green } = await seedApp(h);
    let release: (() => void) | undefined;
    const slow = await startPod(
      h.store,
      'default',
      'myapp-slow-1',
      { app: 'myapp', color: 'slow' },
      (req, res) => {
        if (req.url !== '/slow') return false;
        release = () => res.end('slow done');
        return true;
      },
    );
    put(h.store, 'destinationrules', 'default', 'myapp-blue-green', {
      spec: {
        host: 'myapp',
        subsets: ['blue', 'green', 'slow'].map((c) => ({ name: c, labels: { color: c } })),
      },
    });
    putEndpoints(h.store, 'default', 'myapp', [blue, green, slow]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    after(async () => {
      agent.destroy();
      await h.close();
      await Promise.all([blue.close(), green.close(), slow.close()]);
    });
    await visible(h, putRoute(h, 'slow'));
    const inflight = send(h.gateway.url, '/slow', { agent: false });
    await waitFor('the slow request to reach the pod', () => release);
    await visible(h, putRoute(h, 'blue'));
    assert.equal(await podOf(h, agent), 'myapp-blue-1');
    release!();
    const r = await inflight;
    assert.equal(r.status, 200);
    assert.equal(r.body, 'slow done');

    const ports = new Set<number>();
    agent.on('free', (socket) => ports.add(socket.localPort ?? -1));
    for (const color of ['green', 'blue', 'green']) {
      await visible(h, putRoute(h, color));
      assert.equal(await podOf(h, agent), `myapp-${color}-1`);
    }
    assert.equal(ports.size, 1, 'one client connection served every route');
  });
});
