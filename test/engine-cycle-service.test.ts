// The whole cycle with `router: service` (no mesh: a Service selector switch) on the local
// cluster, under continuous traffic through the app Service's LoadBalancer address (users) and
// the preview Service's (testers): v1 → v2 → rollback → v2 → decommission. No plain request may
// fail, and none may reach the color under test before the promote that moves it. Users keep
// keep-alive connections, so this also proves the old color's pods drain them without a reset
// (the demo app answers `Connection: close` once stopping; see examples/demo-app/src/server.ts).
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
  h = await startHarness();
  await h.writeConfig(demoConfig(h, { router: 'service' }));
});
after(async () => {
  await traffic?.stop();
  await h?.stop();
});

const since = (t: Traffic) => performance.now() - t.startedAt;

/** Waits (with a deadline, not a fixed sleep) until `n` samples match. */
async function waitForSamples(t: Traffic, match: (s: Traffic['samples'][number]) => boolean, n: number) {
  const deadline = Date.now() + 60_000;
  while (t.samples.filter(match).length < n) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} matching samples within 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const LB_URL = /^http:\/\/127\.\d+\.\d+\.\d+:3000$/;

test('service: v1 → v2 → rollback → v2 → decommission under traffic, no plain request fails or sees the color under test', async () => {
  const d1 = await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  assert.match(d1.steps.at(-2)!.detail ?? '', /endpoints are the 1 ready blue pod; testers reach blue/);
  await smokeTest(await h.context(), { release: 'r1' });
  const p1 = await promote(await h.context(), { release: 'r1' });
  assert.equal(p1.color, 'blue');
  const ctx = await h.context();
  const users = await ctx.router.dataPlane(ctx.kube, false);
  const testers = await ctx.router.dataPlane(ctx.kube, true);
  assert.match(users.url ?? '', LB_URL, 'users reach the app Service’s load-balancer address');
  assert.match(testers.url ?? '', LB_URL, 'testers reach the preview Service’s');
  assert.notEqual(users.url, testers.url);

  // Users on keep-alive connections and users arriving on new ones; testers arrive on new ones.
  traffic = startTraffic({
    url: users.url!,
    testUrl: testers.url!,
    plainLoops: 1,
    freshPlainLoops: 1,
    freshTesters: true,
    testLoops: 1,
    pauseMs: 5,
  });
  const d2 = await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  assert.equal(d2.color, 'green');
  await smokeTest(await h.context(), { release: 'r2' });
  const promoteAt = since(traffic);
  const p2 = await promote(await h.context(), { release: 'r2' });
  const promotedAt = since(traffic);
  assert.match(
    p2.steps.at(-1)!.detail ?? '',
    /Service default\/myapp's endpoints are the 1 ready green pod; plain traffic reaches green/,
  );
  assert.ok(traffic.samples.some((s) => s.kind === 'test' && s.color === 'green' && s.at < promoteAt));
  const early = traffic.samples.filter((s) => s.kind === 'plain' && s.at + s.latencyMs < promoteAt);
  assert.ok(early.length > 0);
  assert.ok(
    early.every((s) => s.color === 'blue'),
    'no plain request reached green before the promote',
  );
  await waitForSamples(traffic, (s) => s.fresh === true && s.kind === 'plain' && s.at > promotedAt, 5);
  const arriving = traffic.samples.filter((s) => s.fresh && s.kind === 'plain' && s.at > promotedAt);
  assert.ok(
    arriving.every((s) => s.color === 'green'),
    'every user arriving after the promote reached green',
  );

  const rb = await rollback(await h.context(), {});
  assert.equal(rb.color, 'blue');
  await promote(await h.context(), { release: 'r2' });
  const st = await status(await h.context());
  assert.equal(st.activeColor, 'green');
  assert.equal(st.previousColor, 'blue');
  assert.ok(
    st.routes.every((r) => r.color === 'green'),
    JSON.stringify(st.routes),
  );
  const decommissionAt = since(traffic);
  await decommission(await h.context(), { color: 'blue', force: true });
  // The keep-alive user stayed on a blue pod (kube-proxy moves new connections only) until that
  // pod, stopping, answered with `Connection: close`: then it reconnected, to green.
  await waitForSamples(
    traffic,
    (s) => !s.fresh && s.kind === 'plain' && s.at > decommissionAt && s.color === 'green',
    3,
  );
  await traffic.stop();
  const plainFailures = traffic.samples.filter((s) => s.kind === 'plain' && isFailure(s));
  assert.deepEqual(plainFailures, [], 'no plain request failed');
  const svc = await h.kube.get({ apiVersion: 'v1', kind: 'Service', name: 'myapp', namespace: 'default' });
  assert.deepEqual((svc.spec as { selector: unknown }).selector, { app: 'myapp', color: 'green' });
});

test('service: delete removes the preview and app Services first, then the workloads', async () => {
  const r = await deleteApp(await h.context(), { force: true });
  assert.deepEqual(
    r.steps.map((s) => s.name),
    ['remove the Services', 'delete both colors', 'delete the Service and shared objects'],
  );
  assert.deepEqual(
    r.steps[0]!.changes.map((c) => `${c.action} ${c.kind} ${c.name}`),
    ['delete Service myapp-preview', 'delete Service myapp'],
  );
  for (const name of ['myapp', 'myapp-preview'])
    assert.equal(
      await h.kube.getOptional({ apiVersion: 'v1', kind: 'Service', name, namespace: 'default' }),
      undefined,
    );
});

test('service with a ClusterIP Service and no URL: the endpoints are checked, and the data plane is said plainly not verified', async () => {
  await h.writeConfig(
    demoConfig(h, {
      app: 'internal',
      router: 'service',
      serviceType: 'ClusterIP',
      smokeTests: [{ name: 'ping', exec: { command: ['npm', 'run', 'ping'] } }],
    }),
  );
  const d = await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'i1' });
  const testers = d.steps.find((s) => s.name === 'send testers to blue')!;
  assert.match(
    testers.detail ?? '',
    /^Service default\/internal-preview's endpoints are the 1 ready blue pod; the data plane was not verified: Service default\/internal-preview is of type ClusterIP and no URL is configured/,
  );
  await smokeTest(await h.context(), { release: 'i1' });
  const p = await promote(await h.context(), { release: 'i1' });
  assert.match(
    p.steps.at(-1)!.detail ?? '',
    /the data plane was not verified: Service default\/internal is of type ClusterIP/,
  );
  assert.ok(
    h.logs.some((l) => /warning: plain traffic reaching blue: the data plane was not verified/.test(l)),
  );
});

test('service: decommissioning the color the preview selects deletes the preview, and nothing is left to probe', async () => {
  await h.writeConfig(demoConfig(h, { app: 'again', router: 'service' }));
  await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'a1' });
  await smokeTest(await h.context(), { release: 'a1' });
  await promote(await h.context(), { release: 'a1' });
  await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'a2' });
  const d = await decommission(await h.context(), { color: 'green', force: true });
  assert.deepEqual(
    d.steps[0]!.changes.map((c) => `${c.action} ${c.kind} ${c.name}`),
    ['delete Service again-preview'],
  );
  assert.equal(d.steps[0]!.detail, 'no tester reaches green: Service default/again-preview is gone');
  const st = await status(await h.context());
  assert.equal(st.activeColor, 'blue');
  assert.equal(st.testColor, null, 'nothing under test once the preview is gone');
  assert.equal(st.colors.green.hasSubset, false, 'no subset is "left behind"');
});
