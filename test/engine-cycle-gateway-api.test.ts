// The whole cycle with `router: gateway-api` on the local cluster, under continuous traffic
// through the Gateway's own address with a propagation delay: v1 → v2 → rollback → v2 →
// decommission. No plain request may fail, and none may reach the color under test before the
// promote that moves it (the same guarantees as test/engine-cycle.test.ts gives for Istio).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { demoConfig, startHarness, type Harness } from './engine-harness.js';
import { startTraffic, isFailure, type Traffic } from '../src/demo/traffic.js';
import { deploy } from '../src/engine/deploy.js';
import { test as smokeTest } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';
import { rollback } from '../src/engine/rollback.js';
import { decommission } from '../src/engine/decommission.js';
import { status } from '../src/engine/status.js';
import { deleteApp } from '../src/engine/delete-app.js';

let h: Harness;
let traffic: Traffic | undefined;
before(async () => {
  h = await startHarness({ propagationDelayMs: 250 });
  await h.writeConfig(demoConfig(h, { router: 'gateway-api' }));
});
after(async () => {
  await traffic?.stop();
  await h?.stop();
});

const since = (t: Traffic) => performance.now() - t.startedAt;

test('gateway-api: v1 → v2 → rollback → v2 → decommission under traffic, no plain request fails or sees the color under test', async () => {
  await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await smokeTest(await h.context(), { release: 'r1' });
  const p1 = await promote(await h.context(), { release: 'r1' });
  assert.equal(p1.color, 'blue');
  const ctx = await h.context();
  const plane = await ctx.router.dataPlane(ctx.kube, false);
  assert.match(plane.url ?? '', /^http:\/\/127\.\d+\.\d+\.\d+:80$/, 'verified through the Gateway address');

  traffic = startTraffic({ url: plane.url!, path: '/ready', plainLoops: 2, testLoops: 1, pauseMs: 5 });
  const d2 = await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  assert.equal(d2.color, 'green');
  await smokeTest(await h.context(), { release: 'r2' });
  const promoteAt = since(traffic);
  await promote(await h.context(), { release: 'r2' });
  assert.ok(traffic.samples.some((s) => s.kind === 'test' && s.color === 'green' && s.at < promoteAt));
  const early = traffic.samples.filter((s) => s.kind === 'plain' && s.at + s.latencyMs < promoteAt);
  assert.ok(early.length > 0);
  assert.ok(
    early.every((s) => s.color === 'blue'),
    'no plain request reached green before the promote',
  );

  const rb = await rollback(await h.context(), {});
  assert.equal(rb.color, 'blue');
  await promote(await h.context(), { release: 'r2' });
  const st = await status(await h.context());
  assert.equal(st.activeColor, 'green');
  assert.equal(st.previousColor, 'blue');
  assert.deepEqual(
    st.routes.map((r) => r.color),
    ['green'],
  );
  await decommission(await h.context(), { color: 'blue', force: true });
  await traffic.stop();
  const plainFailures = traffic.samples.filter((s) => s.kind === 'plain' && isFailure(s));
  assert.deepEqual(plainFailures, [], 'no plain request failed');
});

test('gateway-api: delete removes the HTTPRoute, the color Services, the workloads, then the Gateway cutover made', async () => {
  const r = await deleteApp(await h.context(), { force: true });
  assert.deepEqual(
    r.steps.map((s) => `${s.name}: ${s.changes.map((c) => `${c.kind} ${c.name}`).join(', ')}`),
    [
      'remove the routes: HTTPRoute myapp',
      'remove the color Services: Service myapp-green',
      'delete both colors: Deployment myapp-green',
      'delete the Service and shared objects: Service myapp',
      'delete the Gateway: Gateway myapp-gateway',
    ],
  );
  assert.deepEqual(r.kept, []);
});
