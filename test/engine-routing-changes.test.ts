// Changes of cutover.yaml's routing between releases, on one local cluster.
// 1. router: gateway-api, under continuous plain traffic through the Gateway: a change of `port:`
//    between two releases. The deploy brings the color it writes (its Service's port, targetPort
//    and selector) to cutover.yaml; the live color's Service keeps the port its pods listen on,
//    and every rule names the port its color's Service has — so the route is accepted at each
//    step (no BackendNotFound), the promote moves users to the new port, and a rollback returns
//    them to the old one. No plain request fails.
// 2. Then `router: service`: `cutover status` shows the HTTPRoute cutover made, which still serves
//    users, as orphaned with its fix; once marked retired (as `cutover migrate` marks it), as
//    retired with the `kubectl delete` to run when users have moved.
// 3. router: istio (another app): a change of `port:` between releases. The app's Service
//    targets the pods' port by name and the route names no port, so both colors are reached
//    while they listen on different ports: release and rollback under traffic, no plain
//    request fails.
// 4. router: service (another app): a change of `port:` between releases. Both Services target the
//    pods' port by name and keep the port users dial, so testers reach the new color and a
//    promote and a rollback move users between ports without a failed request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoConfig, runCli, startHarness, waitFor, type Harness } from './engine-harness.js';
import { startTraffic, isFailure, type Traffic } from '../src/demo/traffic.js';
import { release } from '../src/engine/release.js';
import { rollback } from '../src/engine/rollback.js';
import type { KubeObject } from '../src/kube/types.js';
import type { StatusResult } from '../src/engine/status.js';
import { performance } from 'node:perf_hooks';

const ROUTE_API = 'gateway.networking.k8s.io/v1';
let h: Harness;
let traffic: Traffic | undefined;
const config = (port: number) =>
  demoConfig(h, {
    router: 'gateway-api',
    port,
    env: { ...(demoConfig(h).env as Record<string, string>), PORT: String(port) },
    smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
    hooks: {},
    verifyTimeoutSeconds: 60,
  });

before(async () => {
  h = await startHarness({ propagationDelayMs: 100 });
  await h.writeConfig(config(3000));
});
after(async () => {
  await traffic?.stop();
  await h?.stop();
});

const get = async (apiVersion: string, kind: string, name: string) =>
  (await h.kube.getOptional({ apiVersion, kind, name, namespace: 'default' })) as KubeObject;
const servicePort = async (name: string) => {
  const spec = (await get('v1', 'Service', name)).spec as {
    ports: Array<{ port: number; targetPort: number | string }>;
  };
  return spec.ports.map((p) => `${p.port}→${p.targetPort}`).join(',');
};
const rulePorts = async () => {
  const spec = (await get(ROUTE_API, 'HTTPRoute', 'myapp')).spec as {
    rules: Array<{ backendRefs: Array<{ name: string; port: number }> }>;
  };
  return spec.rules.map((r) => `${r.backendRefs[0]!.name}:${r.backendRefs[0]!.port}`).join(',');
};

/** Waits until five plain requests were sent after now: users have met the switch just made. */
async function plainRequestsAfterNow(t: Traffic, what: string): Promise<number> {
  const since = performance.now() - t.startedAt;
  await waitFor(`plain requests sent after ${what}`, async () =>
    t.samples.filter((x) => x.kind === 'plain' && x.at > since).length >= 5 ? true : undefined,
  );
  return since;
}
test('a changed port: the next release reconciles the color it writes, the live one keeps its port; promote and rollback keep plain traffic whole', async () => {
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await release(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  assert.equal(await servicePort('myapp-blue'), '3000→3000');
  const ctx = await h.context();
  const url = (await ctx.router.dataPlane(ctx.kube, false)).url!;
  traffic = startTraffic({ url, path: '/ready', plainLoops: 2, testLoops: 0, pauseMs: 5 });

  await h.writeConfig(config(8080));
  const r3 = await release(await h.context(), { image: 'demo/myapp:v3', release: 'r3' });
  assert.equal(r3.color, 'blue');
  assert.equal(await servicePort('myapp-blue'), '8080→8080', 'the color deploy wrote follows cutover.yaml');
  assert.equal(
    await servicePort('myapp-green'),
    '3000→3000',
    'the rollback target keeps the port its pods use',
  );
  assert.equal(await rulePorts(), 'myapp-blue:8080');
  const step = h.logs.find((l) =>
    /^deploy: ensure (Gateway and )?color Services myapp-green, myapp-blue done update Service myapp-blue/.test(
      l,
    ),
  );
  assert.match(step ?? '', /port 3000→3000 becomes 8080→8080/);

  const rb = await rollback(await h.context(), {});
  assert.equal(rb.color, 'green');
  assert.equal(await rulePorts(), 'myapp-green:3000', 'the rollback names the port green’s Service has');
  const rolledBackAt = await plainRequestsAfterNow(traffic, 'the rollback');
  await traffic.stop();
  const plain = traffic.samples.filter((s) => s.kind === 'plain');
  assert.deepEqual(plain.filter(isFailure), [], 'no plain request failed');
  assert.ok(
    plain.some((s) => s.color === 'blue' && s.version === 'v3'),
    'users reached v3 on the new port',
  );
  const after = plain.filter((s) => s.at > rolledBackAt);
  assert.ok(
    after.every((s) => s.color === 'green' && s.version === 'v2'),
    'after the rollback users are on green',
  );
});

test('status shows routing objects cutover.yaml no longer names (orphaned, then retired) with the fix, text and JSON', async () => {
  // After the test above green is live through HTTPRoute myapp; cutover.yaml moves to another router.
  await h.writeConfig({ ...config(8080), router: 'service' });
  const orphaned = await runCli(['status', '-f', h.configPath, '-o', 'json'], { cwd: h.dir, env: h.env });
  assert.equal(orphaned.code, 0, orphaned.stderr);
  const json = JSON.parse(orphaned.stdout) as StatusResult & { apiRequests: number };
  assert.deepEqual(
    json.strayRoutes.map((s) => `${s.object} ${s.state} ${s.colors.join(',')}`),
    ['HTTPRoute default/myapp orphaned green'],
  );
  assert.match(
    json.strayRoutes[0]!.fix,
    /set `router:` back to adopt it, or move the live routing to Service default\/myapp with `cutover migrate`/,
  );
  assert.equal(json.strayRoutesUnchecked, null);

  await h.kube.mergePatch(
    { apiVersion: ROUTE_API, kind: 'HTTPRoute', name: 'myapp', namespace: 'default' },
    { metadata: { annotations: { 'cutover.dev/retired-by': 'migrate/42 to Service default/myapp' } } },
  );
  const retired = await runCli(['status', '-f', h.configPath], { cwd: h.dir, env: h.env });
  assert.equal(retired.code, 0, retired.stderr);
  assert.match(
    retired.stdout,
    /^routing objects cutover.yaml does not name:\n {2}HTTPRoute default\/myapp: retired \(migrate\/42 to Service default\/myapp\), sends plain traffic to green \(rules\[0\] → Service myapp-green\)\n {4}fix: once users reach Service default\/myapp instead, `kubectl delete httproute myapp -n default`/m,
  );
});

test('router: istio, a changed port: the app Service’s named targetPort reaches each color’s own port; plain traffic never breaks', async () => {
  const mesh = (port: number) => ({ ...config(port), app: 'meshapp', router: 'istio' });
  await h.writeConfig(mesh(3000));
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'm1' });
  const ctx = await h.context();
  const url = (await ctx.router.dataPlane(ctx.kube, false)).url!;
  const t = startTraffic({ url, path: '/ready', plainLoops: 2, testLoops: 0, pauseMs: 5 });
  try {
    await h.writeConfig(mesh(8080));
    // While m2 starts on green (port 8080), users stay on blue (port 3000) through the same Service.
    const m2 = await release(await h.context(), { image: 'demo/myapp:v2', release: 'm2' });
    assert.equal(m2.color, 'green');
    assert.equal(await servicePort('meshapp'), '8080→http');
    const rb = await rollback(await h.context(), {});
    assert.equal(rb.color, 'blue');
    await plainRequestsAfterNow(t, 'the rollback');
  } finally {
    await t.stop();
  }
  const plain = t.samples.filter((s) => s.kind === 'plain');
  assert.deepEqual(plain.filter(isFailure), [], 'no plain request failed');
  assert.ok(
    plain.some((s) => s.color === 'green' && s.version === 'v2'),
    'users reached m2 on the new port',
  );
  assert.ok(
    plain.some((s) => s.color === 'blue' && s.version === 'v1'),
    'and m1 on the old one, before and after',
  );
});

test('router: service, a changed port: the Services keep the port users dial and reach each color by the named port', async () => {
  const plain = (port: number) => ({
    ...config(port),
    app: 'plainapp',
    router: 'service',
    serviceType: 'LoadBalancer',
  });
  await h.writeConfig(plain(3000));
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'p1' });
  const ctx = await h.context();
  const url = (await ctx.router.dataPlane(ctx.kube, false)).url!;
  // Users on new connections (kube-proxy moves new connections; keep-alive ones stay).
  const t = startTraffic({
    url,
    path: '/ready',
    plainLoops: 0,
    freshPlainLoops: 2,
    testLoops: 0,
    pauseMs: 5,
  });
  try {
    await h.writeConfig(plain(8080));
    const p2 = await release(await h.context(), { image: 'demo/myapp:v2', release: 'p2' });
    assert.equal(p2.color, 'green');
    assert.equal(await servicePort('plainapp'), '3000→http', 'users dial the same port');
    assert.equal(await servicePort('plainapp-preview'), '3000→http');
    await plainRequestsAfterNow(t, 'the promote');
    const rb = await rollback(await h.context(), {});
    assert.equal(rb.color, 'blue');
    await plainRequestsAfterNow(t, 'the rollback');
  } finally {
    await t.stop();
  }
  const samples = t.samples.filter((s) => s.kind === 'plain');
  assert.deepEqual(samples.filter(isFailure), [], 'no plain request failed');
  assert.ok(
    samples.some((s) => s.version === 'v2'),
    'users reached p2 on the new port',
  );
  assert.ok(
    samples.some((s) => s.version === 'v1'),
    'and p1 on the old one',
  );
});
