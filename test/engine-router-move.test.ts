// Moving a live app from one router to another, as docs/routers/*.md tell users to: with the new
// `router:` in cutover.yaml, promote the release that is live already. The new router's objects
// are created pointing at the live color and verified through the new data plane, while users
// still on the old router's data plane see no failure; then the old objects go and releases
// carry on with the new router.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { demoConfig, startHarness, type Harness } from './engine-harness.js';
import { startTraffic, isFailure, type Traffic } from '../src/demo/traffic.js';
import { deploy } from '../src/engine/deploy.js';
import { test as smokeTest } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';
import { status } from '../src/engine/status.js';

let h: Harness;
let traffic: Traffic | undefined;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await traffic?.stop();
  await h?.stop();
});

const ISTIO = 'networking.istio.io/v1';

test('istio → service: promote the live release with the new router, users on the Istio gateway see no failure', async () => {
  await h.writeConfig(demoConfig(h, { router: 'istio' }));
  await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await smokeTest(await h.context(), { release: 'r1' });
  await promote(await h.context(), { release: 'r1' });
  traffic = startTraffic({ url: h.cluster.gatewayUrl, plainLoops: 2, testLoops: 0, pauseMs: 5 });

  await h.writeConfig(demoConfig(h, { router: 'service' }));
  const moved = await promote(await h.context(), { release: 'r1' });
  assert.equal(moved.color, 'blue');
  assert.match(
    moved.steps.at(-1)!.detail ?? '',
    /endpoints are the 1 ready blue pod; plain traffic reaches blue/,
  );
  const svc = await h.kube.get({ apiVersion: 'v1', kind: 'Service', name: 'myapp', namespace: 'default' });
  assert.deepEqual((svc.spec as { selector: unknown }).selector, { app: 'myapp', color: 'blue' });
  assert.equal(
    (svc.spec as { type: string }).type,
    'LoadBalancer',
    'the mesh’s host Service became reachable',
  );
  const st = await status(await h.context());
  assert.equal(st.activeColor, 'blue');

  // Users moved (DNS) to the Service's address; the Istio objects go.
  for (const kind of ['VirtualService', 'DestinationRule'])
    await h.kube.delete({ apiVersion: ISTIO, kind, name: 'myapp', namespace: 'default' });
  await traffic.stop();
  assert.ok(traffic.samples.filter((s) => s.kind === 'plain').length > 0);
  assert.deepEqual(
    traffic.samples.filter((s) => s.kind === 'plain' && isFailure(s)),
    [],
    'no request through the Istio gateway failed while the Service router took over',
  );

  const d2 = await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  assert.equal(d2.color, 'green');
  await smokeTest(await h.context(), { release: 'r2' });
  const p2 = await promote(await h.context(), { release: 'r2' });
  assert.equal(p2.previousColor, 'blue');
  assert.equal((await status(await h.context())).activeColor, 'green');
});

test('istio → gateway-api: the same move, verified through the new Gateway’s own address', async () => {
  const shop = (router: string) => demoConfig(h, { app: 'shop', router });
  await h.writeConfig(shop('istio'));
  await deploy(await h.context(), { image: 'demo/myapp:v1', release: 's1' });
  await smokeTest(await h.context(), { release: 's1' });
  await promote(await h.context(), { release: 's1' });
  traffic = startTraffic({ url: h.cluster.gatewayUrl, plainLoops: 2, testLoops: 0, pauseMs: 5 });

  await h.writeConfig(shop('gateway-api'));
  const moved = await promote(await h.context(), { release: 's1' });
  assert.equal(moved.color, 'blue');
  const ctx = await h.context();
  const plane = await ctx.router.dataPlane(ctx.kube, false);
  assert.notEqual(plane.url, h.cluster.gatewayUrl, 'the Gateway has an address of its own');
  assert.equal((await status(ctx)).activeColor, 'blue');
  await traffic.stop();
  assert.deepEqual(
    traffic.samples.filter((s) => s.kind === 'plain' && isFailure(s)),
    [],
    'no request through the Istio gateway failed while the HTTPRoute took over',
  );
});

test('service → gateway-api: the same move from no mesh, users on the Service’s address see no failure', async () => {
  const cart = (router: string) => demoConfig(h, { app: 'cart', router });
  await h.writeConfig(cart('service'));
  await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'c1' });
  await smokeTest(await h.context(), { release: 'c1' });
  await promote(await h.context(), { release: 'c1' });
  let ctx = await h.context();
  const serviceUrl = (await ctx.router.dataPlane(ctx.kube, false)).url!;
  traffic = startTraffic({ url: serviceUrl, plainLoops: 2, testLoops: 0, pauseMs: 5 });

  await h.writeConfig(cart('gateway-api'));
  const moved = await promote(await h.context(), { release: 'c1' });
  assert.equal(moved.color, 'blue');
  ctx = await h.context();
  const plane = await ctx.router.dataPlane(ctx.kube, false);
  assert.notEqual(plane.url, serviceUrl, 'the Gateway has an address of its own');
  assert.equal((await status(ctx)).activeColor, 'blue');

  // Users moved (DNS) to the Gateway's address; the Service router's objects go.
  await traffic.stop();
  assert.ok(traffic.samples.filter((s) => s.kind === 'plain').length > 0);
  assert.deepEqual(
    traffic.samples.filter((s) => s.kind === 'plain' && isFailure(s)),
    [],
    'no request through the Service failed while the HTTPRoute took over',
  );
  for (const name of ['cart', 'cart-preview'])
    await h.kube.delete({ apiVersion: 'v1', kind: 'Service', name, namespace: 'default' });

  const d2 = await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'c2' });
  assert.equal(d2.color, 'green');
  await smokeTest(await h.context(), { release: 'c2' });
  const p2 = await promote(await h.context(), { release: 'c2' });
  assert.equal(p2.previousColor, 'blue');
  assert.equal((await status(await h.context())).activeColor, 'green');
});

test('service → istio: the mesh takes over the live color; with the color dropped from the host Service’s selector, releases carry on', async () => {
  const till = (router: string) =>
    demoConfig(h, { app: 'till', router, gateway: { hosts: ['till.example.com'] } });
  await h.writeConfig(till('service'));
  await deploy(await h.context(), { image: 'demo/myapp:v1', release: 't1' });
  await smokeTest(await h.context(), { release: 't1' });
  await promote(await h.context(), { release: 't1' });
  let ctx = await h.context();
  const serviceUrl = (await ctx.router.dataPlane(ctx.kube, false)).url!;
  traffic = startTraffic({ url: serviceUrl, plainLoops: 2, testLoops: 0, pauseMs: 5 });

  await h.writeConfig(till('istio'));
  const moved = await promote(await h.context(), { release: 't1' });
  assert.equal(moved.color, 'blue');
  assert.match(moved.steps.at(-1)!.detail ?? '', /blue/);
  ctx = await h.context();
  assert.equal((await status(ctx)).activeColor, 'blue');
  await traffic.stop();
  assert.ok(traffic.samples.filter((s) => s.kind === 'plain').length > 0);
  assert.deepEqual(
    traffic.samples.filter((s) => s.kind === 'plain' && isFailure(s)),
    [],
    'no request through the Service failed while the Istio routes took over',
  );

  // Users moved to the Istio gateway; as docs/routers/service.md says, the preview Service goes
  // and Service till selects both colors again (Istio's subsets narrow it by color).
  await h.kube.delete({ apiVersion: 'v1', kind: 'Service', name: 'till-preview', namespace: 'default' });
  await h.kube.mergePatch(
    { apiVersion: 'v1', kind: 'Service', name: 'till', namespace: 'default' },
    { spec: { selector: { color: null } } },
  );
  const d2 = await deploy(await h.context(), { image: 'demo/myapp:v2', release: 't2' });
  assert.equal(d2.color, 'green');
  await smokeTest(await h.context(), { release: 't2' });
  const p2 = await promote(await h.context(), { release: 't2' });
  assert.equal(p2.previousColor, 'blue');
  assert.equal((await status(await h.context())).activeColor, 'green');
});
