// The whole cycle against the local cluster, under continuous traffic through the gateway with
// a propagation delay: first release into an empty namespace, v1 → v2 → rollback → v2 →
// decommission. No plain request may fail, and none may reach the color under test before the
// promote that moves it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startHarness, type Harness } from './engine-harness.js';
import { startTraffic, isFailure, type Traffic } from '../src/demo/traffic.js';
import { deploy } from '../src/engine/deploy.js';
import { test as smokeTest } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';
import { rollback } from '../src/engine/rollback.js';
import { decommission } from '../src/engine/decommission.js';
import { status } from '../src/engine/status.js';
import { GuardError } from '../src/errors.js';

let h: Harness;
let traffic: Traffic | undefined;
before(async () => {
  h = await startHarness({ propagationDelayMs: 250 });
});
after(async () => {
  await traffic?.stop();
  await h?.stop();
});

const since = (t: Traffic) => performance.now() - t.startedAt;

function plainAnswersBefore(t: Traffic, atMs: number) {
  return t.samples.filter((s) => s.kind === 'plain' && s.at + s.latencyMs < atMs);
}

test('v1 → v2 → rollback → v2 → decommission under traffic: no plain request fails or sees the color under test', async () => {
  // First release into an empty namespace.
  const d1 = await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  assert.equal(d1.color, 'blue');
  assert.equal(d1.activeColor, null);
  await smokeTest(await h.context(), { release: 'r1' });
  const p1 = await promote(await h.context(), { release: 'r1' });
  assert.equal(p1.color, 'blue');
  assert.ok(p1.timeToEffectMs !== null && p1.verifiedMs !== null);

  traffic = startTraffic({
    url: h.cluster.gatewayUrl,
    path: '/ready',
    plainLoops: 2,
    testLoops: 1,
    pauseMs: 5,
  });
  const d2 = await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  assert.equal(d2.color, 'green');
  assert.equal(d2.activeColor, 'blue');
  await smokeTest(await h.context(), { release: 'r2' });
  const promoteAt = since(traffic);
  const p2 = await promote(await h.context(), { release: 'r2' });
  assert.equal(p2.color, 'green');
  assert.equal(p2.previousColor, 'blue');
  // Testers did reach green before the promote; users did not.
  assert.ok(traffic.samples.some((s) => s.kind === 'test' && s.color === 'green' && s.at < promoteAt));
  const beforePromote = plainAnswersBefore(traffic, promoteAt);
  assert.ok(beforePromote.length > 20, `enough plain traffic before promote (${beforePromote.length})`);
  assert.deepEqual(
    beforePromote.filter((s) => s.color !== 'blue').map((s) => `${s.status} ${s.color}`),
    [],
  );

  const rb = await rollback(await h.context(), {});
  assert.equal(rb.color, 'blue');
  assert.equal(rb.release, 'r1');
  const again = await promote(await h.context(), { release: 'r2' });
  assert.equal(again.color, 'green');

  // Inside the drain window: refused, nothing changed.
  await assert.rejects(
    decommission(await h.context(), {}),
    (e: unknown) => e instanceof GuardError && /drain window/.test(e.message),
  );
  const drainedAt = Date.parse((await status(await h.context())).switchedAt!) + 2000;
  await new Promise((r) => setTimeout(r, Math.max(0, drainedAt - Date.now()) + 50));
  const dc = await decommission(await h.context(), {});
  assert.equal(dc.color, 'blue');
  await traffic.stop();

  const plain = traffic.samples.filter((s) => s.kind === 'plain');
  assert.deepEqual(
    plain.filter(isFailure).map((s) => `${s.status} ${s.error ?? ''}`),
    [],
  );
  const st = await status(await h.context());
  assert.equal(st.activeColor, 'green');
  assert.equal(st.colors.blue.deployment, null);
  assert.equal(st.colors.blue.hasSubset, false);
  assert.deepEqual(
    st.routes.map((r) => r.name),
    ['myapp-default'],
  );
  assert.deepEqual(st.history.map((e) => e.operation).slice(0, 2), ['decommission', 'promote']);
});
