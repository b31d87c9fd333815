// The Gateway API and Service routers against the local cluster, over real HTTP with the
// production client: their plans applied in the order the engine applies them, traffic checked
// through the Gateway's address and the Services' load-balancer addresses, and a route the
// controller rejects reported with the controller's reason.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startApiServer, type ApiServer } from '../src/local/apiserver/index.js';
import { kubeconfigFor } from '../src/local/apiserver/testing.js';
import { startControllers, type Controllers } from '../src/local/controllers/index.js';
import { ensureGatewayClass } from '../src/local/gateway-class.js';
import { startGateway, type Gateway } from '../src/local/gateway/index.js';
import { findResource } from '../src/local/resources.js';
import { startServiceLoadBalancers, type ServiceLoadBalancers } from '../src/local/service-lb/index.js';
import { createStore, type LocalStore } from '../src/local/store/index.js';
import { connect } from '../src/kube/index.js';
import type { KubeClient } from '../src/kube/types.js';
import { OperationFailedError } from '../src/errors.js';
import { GatewayApiRouter } from '../src/routers/gateway-api/router.js';
import { gateway as gatewayObject } from '../src/routers/gateway-api/route-builder.js';
import type { GatewayApiSettings } from '../src/routers/gateway-api/settings.js';
import { IDENTITY_HEADER } from '../src/routers/identity.js';
import { ServiceRouter } from '../src/routers/service/router.js';
import type { Color, ObjectChange, TrafficRouter } from '../src/routers/types.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const POD_PORT = 18080;
const PODS = findResource('', 'pods')!;
let store: LocalStore;
let api: ApiServer;
let gw: Gateway;
let controllers: Controllers;
let lbs: ServiceLoadBalancers;
let kube: KubeClient;
let dir: string;
const servers: Server[] = [];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A pod of `app` and `color`: an HTTP server on its own loopback address that names itself. */
async function pod(app: string, color: Color, n: number): Promise<void> {
  const ip = `127.${150 + Math.floor(Math.random() * 40)}.${Math.floor(Math.random() * 250)}.${n}`;
  const name = `${app}-${color}-${n}`;
  const server = createServer((_req, res) => res.writeHead(200, { 'x-pod': name }).end(`${color}\n`));
  await new Promise<void>((resolve) => server.listen(POD_PORT, ip, resolve));
  servers.push(server);
  store.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app, color } },
    spec: { containers: [{ name: 'app', image: 'x', ports: [{ name: 'http', containerPort: POD_PORT }] }] },
  });
  const created = store.get(PODS, 'default', name)!;
  store.update(
    PODS,
    {
      ...created,
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    },
    { subresource: 'status' },
  );
}

/** Applies a plan as the engine does (the same client calls). */
async function apply(changes: ObjectChange[]): Promise<void> {
  for (const c of changes) {
    const ref = { apiVersion: c.apiVersion, kind: c.kind, name: c.name, namespace: c.namespace };
    if (c.action === 'create') await kube.create(c.object!);
    else if (c.action === 'merge-patch') await kube.mergePatch(ref, c.patch ?? {});
    else if (c.action === 'delete') await kube.delete(ref, { resourceVersion: c.resourceVersion });
    else await kube.replace(c.object!);
  }
}

function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: '/', headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim(), headers: res.headers }));
    });
    req.on('error', () => resolve({ status: 0, body: '', headers: {} }));
    req.end();
  });
}

/** Polls until `n` answers in a row say `color` (the data plane follows the writes after a delay). */
async function answeredBy(
  router: TrafficRouter,
  tester: boolean,
  color: string,
  n = 5,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 15_000;
  let streak = 0;
  let last: Awaited<ReturnType<typeof get>> | undefined;
  while (Date.now() < deadline) {
    const plane = await router.dataPlane!(kube, tester);
    if (plane.url) {
      last = await get(plane.url, plane.headers);
      streak = last.body === color ? streak + 1 : 0;
      if (streak >= n) return last.headers;
    }
    await sleep(20);
  }
  throw new Error(`not ${n} answers in a row from ${color}; last: ${JSON.stringify(last)}`);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutover-routers-'));
  store = await createStore();
  api = await startApiServer({ store, host: '127.0.0.1', port: 0 });
  controllers = startControllers({ store });
  gw = await startGateway({
    store,
    host: '127.0.0.1',
    port: 0,
    propagationDelayMs: 50,
    log: () => undefined,
  });
  lbs = startServiceLoadBalancers({ store, log: () => undefined });
  ensureGatewayClass(store);
  await writeFile(join(dir, 'kubeconfig'), kubeconfigFor(api.url));
  kube = connect({ kubeconfig: join(dir, 'kubeconfig'), env: {} });
  for (const app of ['shop', 'blog'])
    for (const color of ['blue', 'green'] as const) await pod(app, color, color === 'blue' ? 1 : 2);
});

after(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await lbs?.stop();
  await gw?.close();
  await controllers?.stop();
  await api?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const deadline = () => ({ timeoutMs: 10_000, clock: Date.now, sleep });

function gatewayApiSettings(overrides: Partial<GatewayApiSettings> = {}): GatewayApiSettings {
  return {
    namespace: 'default',
    app: 'shop',
    appId: 'default/shop',
    routeName: 'shop',
    gatewayRef: { name: 'shop-gateway', namespace: 'default' },
    gateway: gatewayObject('shop-gateway', 'default', 'istio', 80),
    hostnames: ['shop.example.com'],
    appLabel: 'app',
    colorLabel: 'color',
    servicePort: 80,
    targetPort: 'http',
    testMatch: { type: 'cookie', name: 'test', value: 'true', regex: '(.*;\\s*)?test=true(;.*)?' },
    annotationPrefix: 'cutover.dev',
    ...overrides,
  };
}

describe('Gateway API router on the local cluster', () => {
  const router = new GatewayApiRouter(gatewayApiSettings());

  it('deploy blue, test green, switch to green: make before break, accepted routes, verified through the Gateway', async () => {
    await apply(router.planEnsure(await router.read(kube), ['blue']));
    await apply(
      router.planAllTraffic(await router.read(kube), 'blue', { at: '2026-01-01T00:00:00Z', release: 'r1' }),
    );
    await router.awaitAccepted(kube, deadline());
    const first = await answeredBy(router, false, 'blue');
    assert.equal(first[IDENTITY_HEADER], 'default/shop blue r1');

    await apply(router.planEnsure(await router.read(kube), ['blue', 'green']));
    await apply(router.planTestTraffic(await router.read(kube), 'green', 'r2'));
    await router.awaitAccepted(kube, deadline());
    await answeredBy(router, true, 'green');
    await answeredBy(router, false, 'blue');
    let live = await router.read(kube);
    assert.deepEqual([live.activeColor, live.testColor, live.subsets], ['blue', 'green', ['blue', 'green']]);

    const plan = router.planAllTraffic(live, 'green', {
      at: '2026-01-01T00:01:00Z',
      release: 'r2',
      by: 'promote/ci-1',
    });
    assert.equal(plan.length, 1, 'the switch is one write');
    assert.equal(
      (plan[0]!.patch!.metadata as { resourceVersion: string }).resourceVersion,
      live.route!.metadata.resourceVersion,
    );
    await apply(plan);
    await router.awaitAccepted(kube, deadline());
    assert.equal((await answeredBy(router, false, 'green'))[IDENTITY_HEADER], 'default/shop green r2');
    live = await router.read(kube);
    assert.deepEqual(router.lastSwitch(live), {
      color: 'green',
      release: 'r2',
      at: '2026-01-01T00:01:00Z',
      by: 'promote/ci-1',
      previousColor: 'blue',
      previousRelease: 'r1',
    });
    // Decommission blue: no rule names it, so its Service may go.
    assert.deepEqual(router.planRemoveRoutes(live, 'blue'), []);
    await apply(router.planRemoveSubset(live, 'blue'));
    assert.deepEqual((await router.read(kube)).subsets, ['green']);
  });

  it('a stale plan fails instead of overwriting a newer route', async () => {
    const live = await router.read(kube);
    await apply(router.planTestTraffic(live, 'blue'));
    await assert.rejects(
      apply(router.planAllTraffic(live, 'blue', { at: 'x' })),
      /Conflict|modified|changed/i,
    );
  });

  it('a route the controller rejects fails with the controller reason', async () => {
    const broken = new GatewayApiRouter(
      gatewayApiSettings({
        app: 'blog',
        appId: 'default/blog',
        routeName: 'blog',
        servicePort: 8080,
        hostnames: ['blog.example.com'],
      }),
    );
    await apply(broken.planEnsure(await broken.read(kube), ['blue']));
    // The Service's port is 8080: make the route name port 9090 to get BackendNotFound.
    const plan = broken.planAllTraffic(await broken.read(kube), 'blue', { at: 'x' });
    const route = plan[0]!.object!;
    (
      route.spec as { rules: Array<{ backendRefs: Array<{ port: number }> }> }
    ).rules[0]!.backendRefs[0]!.port = 9090;
    await apply(plan);
    const err = await broken.awaitAccepted(kube, deadline()).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof OperationFailedError, String(err));
    assert.match(
      err.message,
      /HTTPRoute default\/blog: .*ResolvedRefs=False, reason BackendNotFound: .*Service default\/blog-blue has no port 9090/,
    );
  });
});

describe('Service router on the local cluster', () => {
  const router = new ServiceRouter({
    namespace: 'default',
    app: 'blog',
    serviceName: 'blog-live',
    previewServiceName: 'blog-preview',
    appLabel: 'app',
    colorLabel: 'color',
    releaseLabel: 'cutover.dev/release',
    servicePort: 8090,
    targetPort: 'http',
    serviceType: 'LoadBalancer',
    annotationPrefix: 'cutover.dev',
  });

  it('the app Service selects the live color, the preview Service the one under test; one selector write switches', async () => {
    await apply(
      router.planAllTraffic(await router.read(kube), 'blue', { at: '2026-01-01T00:00:00Z', release: 'r1' }),
    );
    await answeredBy(router, false, 'blue');
    await apply(router.planTestTraffic(await router.read(kube), 'green'));
    await answeredBy(router, true, 'green');
    const live = await router.read(kube);
    assert.deepEqual([live.activeColor, live.testColor], ['blue', 'green']);
    const plan = router.planAllTraffic(live, 'green', { at: '2026-01-01T00:01:00Z', release: 'r2' });
    assert.equal(plan.length, 1);
    assert.equal(plan[0]!.action, 'merge-patch');
    await apply(plan);
    assert.match(
      await router.awaitServing(kube, { color: 'green', tester: false }, deadline()),
      /^Service default\/blog-live's endpoints are the \d+ ready green pods?$/,
    );
    await answeredBy(router, false, 'green');
    const after = await router.read(kube);
    assert.equal(router.lastSwitch(after).previousColor, 'blue');
    assert.equal(router.lastSwitch(after).previousRelease, 'r1');
    await apply(router.planRemoveRoutes(after, 'green'));
    assert.equal((await router.read(kube)).preview, undefined);
  });

  it('without a reachable address, the data plane says plainly it is not verified', async () => {
    const hidden = new ServiceRouter({
      ...router.settings,
      serviceName: 'blog-internal',
      serviceType: 'ClusterIP',
    });
    await apply(hidden.planAllTraffic(await hidden.read(kube), 'blue', { at: 'x' }));
    const plane = await hidden.dataPlane(kube, false);
    assert.equal(plane.url, undefined);
    assert.equal(plane.unverifiable, true);
    assert.match(
      plane.unverified!,
      /the data plane was not verified: Service default\/blog-internal is of type ClusterIP and no URL is configured/,
    );
  });
});
