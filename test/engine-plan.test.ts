// Plans without a cluster: the pure steps of each operation run as a dry run on objects built
// in the test. The client throws on any call, so a plan that touched the API would fail here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../src/config/index.js';
import type { KubeClient, KubeObject } from '../src/kube/types.js';
import { createContext, type EngineContext } from '../src/engine/context.js';
import { ClusterView } from '../src/engine/cluster-view.js';
import { chooseDeployColor, deploySteps } from '../src/engine/deploy.js';
import { runSteps } from '../src/engine/steps.js';
import { routesOf } from '../src/engine/app-state.js';
import { promoteOnView } from '../src/engine/promote.js';
import { rollbackOnView } from '../src/engine/rollback.js';
import { decommissionOnView } from '../src/engine/decommission.js';
import { silentLog, type EngineDeps } from '../src/engine/deps.js';
import { GuardError } from '../src/errors.js';
import { IstioRouter } from '../src/routers/istio/router.js';
import { HIDDEN } from '../src/engine/redact.js';

const noApi = new Proxy({ namespace: 'default', requestCount: 0 } as unknown as KubeClient, {
  get(target, prop) {
    if (prop in target) return (target as unknown as Record<string | symbol, unknown>)[prop];
    return () => {
      throw new Error(`a plan must not call the API (${String(prop)})`);
    };
  },
});

const NOW = Date.parse('2026-11-26T12:00:00.000Z');

async function context(extra: Record<string, unknown> = {}): Promise<EngineContext> {
  const config = validateConfig(
    { app: 'myapp', env: { DB_PASSWORD: 's3cret-value' }, ...extra },
    '/tmp/cutover.yaml',
    {},
  );
  const deps: EngineDeps = {
    clock: () => NOW,
    sleep: async () => {},
    random: () => 0.5,
    http: async () => {
      throw new Error('a plan must not probe');
    },
    runCommand: async () => ({ exitCode: 1, output: '' }),
    acquireLock: async () => {
      throw new Error('a plan takes no lock');
    },
    log: silentLog,
    env: {},
  };
  return createContext({ config, kube: noApi, deps, dryRun: true });
}

function readyDeployment(
  ctx: EngineContext,
  color: 'blue' | 'green',
  release: string,
  tested?: string,
): KubeObject {
  const dep = ctx.source.deployment({ color, image: `myapp:${release}`, release });
  dep.metadata.resourceVersion = '11';
  dep.metadata.generation = 1;
  if (tested)
    dep.metadata.annotations = {
      ...dep.metadata.annotations,
      'cutover.dev/tested': JSON.stringify({ release: tested, result: 'passed', at: '' }),
    };
  dep.status = {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
  };
  return dep;
}

function liveOn(
  ctx: EngineContext,
  view: ClusterView,
  active: 'blue' | 'green',
  extra: Record<string, string> = {},
) {
  const router = ctx.router as IstioRouter;
  const gw = router.settings.gateway!;
  view.set({ ...gw, metadata: { ...gw.metadata, namespace: 'default', resourceVersion: '19' } });
  view.set({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'myapp', namespace: 'default', resourceVersion: '20', annotations: extra },
    spec: { hosts: ['*'], gateways: ['myapp-gateway'], http: [router.route('default', active)] },
  });
  view.set({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'myapp', namespace: 'default', resourceVersion: '21' },
    spec: {
      host: 'myapp',
      subsets: [
        { name: 'blue', labels: { color: 'blue' } },
        { name: 'green', labels: { color: 'green' } },
      ],
    },
  });
}

test('first deploy into an empty namespace: shared objects, Deployment, wait, subsets, test route', async () => {
  const ctx = await context();
  const view = new ClusterView();
  const color = chooseDeployColor(ctx, routesOf(ctx, view), {});
  assert.equal(color, 'blue');
  const desired = ctx.source.deployment({ color, image: 'myapp:v1', release: 'r1' });
  const records = await runSteps(
    ctx,
    'deploy',
    deploySteps(ctx, { color, release: 'r1', image: 'myapp:v1' }, desired),
    view,
  );
  const writes = records.flatMap((r) => r.changes.map((c) => `${c.action} ${c.kind}`));
  assert.deepEqual(writes, [
    'create Service',
    'create Deployment',
    'create Gateway',
    'create DestinationRule',
    'create VirtualService',
  ]);
  // The plan never shows a secret value, even from the config's env.
  assert.ok(!JSON.stringify(records).includes('s3cret-value'));
  assert.ok(JSON.stringify(records).includes(HIDDEN));
  // After the plan, testers go to blue and no default route exists yet.
  assert.equal(routesOf(ctx, view).testColor, 'blue');
  assert.equal(routesOf(ctx, view).activeColor, undefined);
});

test('deploy picks the idle color and refuses the live one (exit 3) with the object and the remedy', async () => {
  const ctx = await context();
  const view = new ClusterView();
  liveOn(ctx, view, 'green');
  assert.equal(chooseDeployColor(ctx, routesOf(ctx, view), {}), 'blue');
  assert.equal(chooseDeployColor(ctx, routesOf(ctx, view), { tag: 'v2.0-blue' }), 'blue');
  assert.throws(
    () => chooseDeployColor(ctx, routesOf(ctx, view), { tag: 'v2.0-green' }),
    (err: unknown) =>
      err instanceof GuardError &&
      err.message ===
        'VirtualService default/myapp: default route points to green, the color you are deploying to.' &&
      err.remedy === 'Deploy to blue, or promote first.',
  );
});

test('re-deploying the same release plans no Deployment write (re-runs converge)', async () => {
  const ctx = await context();
  const view = new ClusterView();
  liveOn(ctx, view, 'green');
  const desired = ctx.source.deployment({ color: 'blue', image: 'myapp:v2', release: 'r2' });
  view.set({ ...desired, metadata: { ...desired.metadata, resourceVersion: '30' } });
  const records = await runSteps(
    ctx,
    'deploy',
    deploySteps(ctx, { color: 'blue', release: 'r2', image: 'myapp:v2', active: 'green' }, desired),
    view,
  );
  assert.deepEqual(records.find((r) => r.name.startsWith('apply Deployment'))!.changes, []);
});

test('promote refuses an untested release and a stale one, and plans one switch for a tested one', async () => {
  const ctx = await context();
  const view = new ClusterView();
  liveOn(ctx, view, 'blue');
  view.set(readyDeployment(ctx, 'green', 'r2'));
  await assert.rejects(
    promoteOnView(ctx, view, undefined),
    (e: unknown) => e instanceof GuardError && /no color is under test \(blue is live\)/.test(e.message),
  );
  (view.get('VirtualService', 'myapp')!.spec as { http: unknown[] }).http.unshift(
    (ctx.router as IstioRouter).route('test', 'green'),
  );
  await assert.rejects(
    promoteOnView(ctx, view, undefined),
    (e: unknown) => e instanceof GuardError && /has not been tested/.test(e.message),
  );
  view.set(readyDeployment(ctx, 'green', 'r2', 'r2'));
  await assert.rejects(
    promoteOnView(ctx, view, 'r3'),
    (e: unknown) => e instanceof GuardError && /runs release r2, not r3/.test(e.message),
  );
  const r = await promoteOnView(ctx, view, 'r2');
  const writes = r.steps.flatMap((s) => s.changes);
  assert.equal(writes.length, 1);
  // Run again (a retried CI job): the live color already runs r2, nothing is written.
  const again = await promoteOnView(ctx, view, 'r2');
  assert.equal(again.color, 'green');
  assert.deepEqual(
    again.steps.flatMap((s) => s.changes),
    [],
  );
  // Without a release and with nothing under test, promote never flips back to the old color.
  await assert.rejects(promoteOnView(ctx, view, undefined), /no color is under test \(green is live\)/);
  assert.equal(writes[0]!.kind, 'VirtualService');
  assert.equal(routesOf(ctx, view).activeColor, 'green');
});

test('rollback refuses when the previous color is gone or runs another release', async () => {
  const ctx = await context();
  const view = new ClusterView();
  liveOn(ctx, view, 'green', { 'cutover.dev/previous-color': 'blue', 'cutover.dev/previous-release': 'r1' });
  await assert.rejects(
    rollbackOnView(ctx, view),
    (e: unknown) => e instanceof GuardError && /does not exist/.test(e.message),
  );
  view.set(readyDeployment(ctx, 'blue', 'r3'));
  await assert.rejects(
    rollbackOnView(ctx, view),
    (e: unknown) => e instanceof GuardError && /now runs release r3, not r1/.test(e.message),
  );
  view.set(readyDeployment(ctx, 'blue', 'r1'));
  view.set(readyDeployment(ctx, 'green', 'r2'));
  const r = await rollbackOnView(ctx, view);
  assert.equal(r.color, 'blue');
  assert.equal(routesOf(ctx, view).activeColor, 'blue');
  // Running it again (a retry after a crash) verifies the rollback instead of undoing it.
  const again = await rollbackOnView(ctx, view);
  assert.equal(again.color, 'blue');
  assert.deepEqual(
    again.steps.flatMap((s) => s.changes),
    [],
  );
});

test('decommission refuses the live color and the drain window; --force skips only the window', async () => {
  const ctx = await context({ drainSeconds: 30 });
  const switchedAt = new Date(NOW - 10_000).toISOString();
  const view = new ClusterView();
  liveOn(ctx, view, 'green', { 'cutover.dev/previous-color': 'blue', 'cutover.dev/switched-at': switchedAt });
  view.set(readyDeployment(ctx, 'blue', 'r1'));
  await assert.rejects(
    decommissionOnView(ctx, view, { color: 'green', force: true }),
    (e: unknown) => e instanceof GuardError && /default route points to green/.test(e.message),
  );
  await assert.rejects(
    decommissionOnView(ctx, view, {}),
    (e: unknown) => e instanceof GuardError && /drain window of 30 s/.test(e.message),
  );
  // With --force a dry run plans the whole decommission and sends no probe (the client throws
  // on any request): a real run checks the traffic first (below).
  const planned = await decommissionOnView(ctx, view, { force: true });
  assert.deepEqual(
    planned.steps.map((s) => s.status),
    ['planned', 'planned', 'planned'],
  );
});

test('decommission plans routes, then subset, then Deployment', async () => {
  const ctx = await context({ gatewayUrl: 'http://gw.invalid' });
  const view = new ClusterView();
  liveOn(ctx, view, 'green');
  (view.get('VirtualService', 'myapp')!.spec as { http: unknown[] }).http.unshift(
    (ctx.router as IstioRouter).route('test', 'blue'),
  );
  view.set(readyDeployment(ctx, 'blue', 'r1'));
  ctx.deps.http = async () => ({ status: 200, headers: { 'x-cutover-color': 'green' }, body: '{}' });
  const r = await decommissionOnView(ctx, view, {});
  assert.deepEqual(
    r.steps.flatMap((s) => s.changes.map((c) => `${c.action} ${c.kind}`)),
    ['merge-patch VirtualService', 'merge-patch DestinationRule', 'delete Deployment'],
  );
});

test('decommission refuses when the gateway does not answer: no evidence that users left', async () => {
  const ctx = await context({ gatewayUrl: 'http://gw.invalid' });
  const view = new ClusterView();
  liveOn(ctx, view, 'green');
  view.set(readyDeployment(ctx, 'blue', 'r1'));
  ctx.dryRun = false; // the refusal comes before any write
  ctx.deps.http = async () => ({ status: 0, headers: {}, body: 'connect ECONNREFUSED' });
  await assert.rejects(
    decommissionOnView(ctx, view, {}),
    (e: unknown) =>
      e instanceof GuardError && /cannot check that plain traffic has left blue/.test(e.message),
  );
});

test("decommission refuses when another app answers this app's plain requests", async () => {
  const ctx = await context({ gatewayUrl: 'http://gw.invalid' });
  const view = new ClusterView();
  liveOn(ctx, view, 'green');
  view.set(readyDeployment(ctx, 'blue', 'r1'));
  ctx.dryRun = false; // the refusal comes before any write
  ctx.deps.http = async () => ({
    status: 200,
    headers: { 'x-cutover-color': 'green', 'x-cutover-served-by': 'default/cart green r9' },
    body: '{}',
  });
  await assert.rejects(
    decommissionOnView(ctx, view, {}),
    (e: unknown) =>
      e instanceof GuardError &&
      /answered by default\/cart green \(release r9\), not by default\/myapp: the hosts overlap/.test(
        e.message,
      ),
  );
});
