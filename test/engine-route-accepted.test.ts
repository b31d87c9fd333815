// A route is trusted only once its controller accepted it (router: gateway-api). On the local
// cluster, whose gateway writes the status conditions a real Gateway API controller writes:
// - release r1 is live on blue; a Service named as green's, with another port, was made by someone
//   else (cutover does not rewrite it), so the test rule of `cutover deploy` names a port it lacks. The controller
//   reports ResolvedRefs=False / BackendNotFound: deploy exits 1 with the controller's condition,
//   reason and message, puts the HTTPRoute back as it was, and plain traffic never moves; the
//   history says so.
// - a Gateway of a class no controller serves: the route is never judged; deploy stops after
//   verifyTimeoutSeconds saying which condition is missing and how long it waited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoConfig, runCli, startHarness, waitFor, type Harness } from './engine-harness.js';
import { release } from '../src/engine/release.js';
import { parseHistory } from '../src/engine/history.js';
import type { KubeObject } from '../src/kube/types.js';

const ROUTE_API = 'gateway.networking.k8s.io/v1';
let h: Harness;
let gatewayUrl: string;

before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await h.writeConfig(demoConfig(h, { router: 'gateway-api', verifyTimeoutSeconds: 60 }));
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  const ctx = await h.context();
  gatewayUrl = (await ctx.router.dataPlane(ctx.kube, false)).url!;
});
after(async () => {
  await h?.stop();
});

const get = (apiVersion: string, kind: string, name: string) =>
  h.kube.getOptional({ apiVersion, kind, name, namespace: 'default' });

async function plainAnswer(): Promise<string> {
  const res = await fetch(`${gatewayUrl}/ready`);
  await res.arrayBuffer();
  return `${res.status} ${res.headers.get('x-cutover-color')} ${res.headers.get('x-app-version')}`;
}

test('a route the controller rejects fails deploy with its reason; the route is put back, plain traffic never moves', async () => {
  // A Service named as cutover names green's, on port 8080, that cutover did not make (no
  // managed-by label): cutover reconciles only its own color Services, so it stays as it is (the
  // live-color guard knows it as the router's own backend).
  await h.kube.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'myapp-green',
      namespace: 'default',
      labels: { app: 'myapp', color: 'green' },
    },
    spec: {
      selector: { app: 'myapp', color: 'green' },
      ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
    },
  });
  const routeBefore = (await get(ROUTE_API, 'HTTPRoute', 'myapp'))!;
  const blueBefore = (await get('apps/v1', 'Deployment', 'myapp-blue'))!.metadata.resourceVersion;
  assert.equal(await plainAnswer(), '200 blue v1');

  const run = await runCli(['deploy', '--image', 'demo/myapp:v2', '--release', 'r2', '-f', h.configPath], {
    cwd: h.dir,
    env: h.env,
  });
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /HTTPRoute default\/myapp: the Gateway controller istio\.io\/gateway-controller did not accept it: ResolvedRefs=False, reason BackendNotFound: spec\.rules\[0\]\.backendRefs\[0\]: Service default\/myapp-green has no port 3000/,
  );
  assert.match(run.stderr, /HTTPRoute default\/myapp put back as it was: plain traffic was not moved/);
  assert.match(run.stderr, /fix: .*missing Service or port/);

  const routeAfter = (await get(ROUTE_API, 'HTTPRoute', 'myapp'))!;
  assert.deepEqual(routeAfter.spec, routeBefore.spec, 'the route has its rules of before');
  assert.deepEqual(routeAfter.metadata.annotations, routeBefore.metadata.annotations);
  assert.equal((await get('apps/v1', 'Deployment', 'myapp-blue'))!.metadata.resourceVersion, blueBefore);
  // The put-back route is judged again, and accepted.
  await waitFor('the put-back route accepted', async () => {
    const r = (await get(ROUTE_API, 'HTTPRoute', 'myapp'))!;
    const parents = ((r.status as { parents?: Array<{ conditions: Array<Record<string, unknown>> }> })
      ?.parents ?? [])[0]?.conditions;
    const ok = parents?.every((c) => c.status === 'True' && c.observedGeneration === r.metadata.generation);
    return ok ? true : undefined;
  });
  for (let i = 0; i < 5; i++) assert.equal(await plainAnswer(), '200 blue v1');

  const entry = parseHistory(await get('v1', 'ConfigMap', 'myapp-cutover-history'))[0]!;
  assert.equal(`${entry.operation} ${entry.result} ${entry.release}`, 'deploy failed r2');
  assert.match(entry.detail ?? '', /reason BackendNotFound/);
  assert.match(entry.detail ?? '', /afterwards plain traffic is on blue \(release r1\)/);
  await h.kube.delete({ apiVersion: 'v1', kind: 'Service', name: 'myapp-green', namespace: 'default' });
});

test('a route no controller judges: deploy stops after verifyTimeoutSeconds naming the missing condition, and deletes the route it made', async () => {
  await h.writeConfig(
    demoConfig(h, {
      app: 'quiet',
      router: 'gateway-api',
      verifyTimeoutSeconds: 3,
      gateway: { name: 'quiet-gateway', className: 'nobody', hosts: ['quiet.example.com'] },
      smokeTests: [],
      hooks: {},
    }),
  );
  const run = await runCli(['deploy', '--image', 'demo/myapp:v1', '--release', 'q1', '-f', h.configPath], {
    cwd: h.dir,
    env: h.env,
  });
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /HTTPRoute default\/quiet: no Gateway controller judged the route within \d+ s: status\.parents has no entry for Gateway default\/quiet-gateway \(condition Accepted missing\)/,
  );
  const waited = Number(/judged the route within (\d+) s/.exec(run.stderr)![1]);
  assert.ok(waited >= 3, `it waited verifyTimeoutSeconds (3 s), said ${waited} s`);
  assert.match(run.stderr, /HTTPRoute default\/quiet deleted: plain traffic was not moved/);
  assert.match(
    run.stderr,
    /fix: check that a controller serves the GatewayClass of Gateway default\/quiet-gateway/,
  );
  assert.equal(await get(ROUTE_API, 'HTTPRoute', 'quiet'), undefined);
  const gw = (await get(ROUTE_API, 'Gateway', 'quiet-gateway')) as KubeObject;
  assert.equal(gw.status, undefined, 'no controller wrote the Gateway status either');
});

test('a Gateway whose listener does not allow the route: Accepted=False, reason NotAllowedByListeners, the new route is deleted', async () => {
  await h.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'infra' } });
  await h.kube.create({
    apiVersion: ROUTE_API,
    kind: 'Gateway',
    metadata: { name: 'edge', namespace: 'infra' },
    spec: {
      gatewayClassName: 'istio',
      // Routes from the Gateway's own namespace only: the app's route in default is not allowed.
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } },
      ],
    },
  });
  await h.writeConfig(
    demoConfig(h, {
      app: 'fenced',
      router: 'gateway-api',
      verifyTimeoutSeconds: 30,
      gateway: { name: 'edge', namespace: 'infra', create: false, hosts: ['fenced.example.com'] },
      smokeTests: [],
      hooks: {},
    }),
  );
  const run = await runCli(['deploy', '--image', 'demo/myapp:v1', '--release', 'f1', '-f', h.configPath], {
    cwd: h.dir,
    env: h.env,
  });
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /HTTPRoute default\/fenced: the Gateway controller istio\.io\/gateway-controller did not accept it: Accepted=False, reason NotAllowedByListeners: no listener of Gateway infra\/edge allows HTTPRoutes from namespace default\. HTTPRoute default\/fenced deleted: plain traffic was not moved/,
  );
  assert.equal(await get(ROUTE_API, 'HTTPRoute', 'fenced'), undefined);
});
