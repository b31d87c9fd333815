// A cutover.yaml change that would orphan live routing objects, and `cutover migrate`. Release r1
// is live on green (r0 on blue is the rollback target) through cutover's built-in objects
// (VirtualService and DestinationRule `myapp`); cutover.yaml then switches to the seed's manifests folder, whose objects are called
// `myapp-blue-green`. Preflight refuses a deploy even into the idle color (exit 3, nothing
// written), naming the old object and both ways forward; `cutover migrate` moves the live routing
// to the new objects make before break under continuous traffic — no plain request fails or
// leaves green — carries the rollback target over, and deletes the old ones; after it, deploy goes
// ahead. Then `router: gateway-api`: migrate makes the new data plane serve green and retires the
// old objects, which keep protecting the color they serve.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  demoConfig,
  REPO_ROOT,
  runCli,
  startHarness,
  waitFor,
  type Harness,
  resourceVersions,
} from './engine-harness.js';
import { release } from '../src/engine/release.js';
import { parseHistory } from '../src/engine/history.js';
import { deploy as deployRelease } from '../src/engine/deploy.js';
import { test as smokeTest } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';
import { status } from '../src/engine/status.js';
import { startTraffic, isFailure } from '../src/demo/traffic.js';

let h: Harness;
let env: Record<string, string>;
before(async () => {
  h = await startHarness({ propagationDelayMs: 100 });
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r0' });
  await release(await h.context(), { image: 'demo/myapp:v2', release: 'r1' });
  await cp(join(REPO_ROOT, 'examples', 'seed-manifests'), join(h.dir, 'manifests'), { recursive: true });
  await h.writeConfig({ app: 'myapp', namespace: 'default', manifests: 'manifests', drainSeconds: 0 });
  env = {
    ...h.env,
    DOCKER_USERNAME: 'demo',
    SEMAPHORE_WORKFLOW_ID: 'v2',
    DB_HOST: h.cluster.database!.host,
    DB_PORT: String(h.cluster.database!.port),
    DB_SCHEMA: 'postgres',
    DB_USER: 'postgres',
    DB_PASSWORD: 'pw-not-printed',
  };
});
after(async () => {
  await h?.stop();
});

const ISTIO = 'networking.istio.io/v1';
const OBJECTS = [
  [ISTIO, 'VirtualService', 'myapp'],
  [ISTIO, 'VirtualService', 'myapp-blue-green'],
  [ISTIO, 'DestinationRule', 'myapp'],
  [ISTIO, 'DestinationRule', 'myapp-blue-green'],
  ['apps/v1', 'Deployment', 'myapp-blue'],
  ['apps/v1', 'Deployment', 'myapp-green'],
  ['coordination.k8s.io/v1', 'Lease', 'myapp-cutover-lock'],
  ['v1', 'ConfigMap', 'myapp-cutover-history'],
] as const;

const versions = () => resourceVersions(h, OBJECTS);

const cli = (...args: string[]) => runCli([...args, '-f', h.configPath], { cwd: h.dir, env });

test('a deploy into the idle color is refused while objects an earlier cutover.yaml made serve users', async () => {
  const before = await versions();
  for (const extra of [['--dry-run'], []]) {
    const run = await cli('deploy', '--color', 'blue', ...extra);
    assert.equal(run.code, 3, `deploy ${extra.join(' ')}: ${run.stderr}`);
    assert.match(
      run.stderr,
      /cutover\.yaml names VirtualService default\/myapp-blue-green for app myapp, but users are still served through VirtualService default\/myapp \(route "[^"]+" → Service myapp, subset green\) → green, which cutover made and cutover\.yaml no longer names/,
    );
    assert.match(
      run.stderr,
      /fix: adopt them: make cutover\.yaml name VirtualService myapp again, or move the live routing to VirtualService default\/myapp-blue-green with `cutover migrate`/,
    );
    assert.deepEqual(await versions(), before, 'nothing was written, not even the lock');
  }
});

test('cutover migrate moves the live routing make before break: no plain request fails or leaves green', async () => {
  const before = await versions();
  const plan = await cli('migrate', '--dry-run');
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(
    plan.stdout,
    /plan: migrate the live routing of myapp \(green, release r1\) from VirtualService default\/myapp to VirtualService default\/myapp-blue-green \(nothing written\)/,
  );
  assert.match(plan.stdout, /delete VirtualService default\/myapp/);
  assert.match(plan.stdout, /delete DestinationRule default\/myapp\b/);
  assert.deepEqual(await versions(), before, 'the dry run wrote nothing');

  const traffic = startTraffic({
    url: h.cluster.gatewayUrl,
    path: '/ready',
    plainLoops: 2,
    testLoops: 0,
    pauseMs: 5,
  });
  const run = await cli('migrate');
  // Keep the traffic going until the gateway has applied the deletion of the old objects
  // (propagation delay 100 ms): a request that started a second after the migrate ended.
  const ended = performance.now() - traffic.startedAt;
  await waitFor('plain traffic a second after the migrate', async () =>
    traffic.samples.some((s) => s.kind === 'plain' && s.at > ended + 1000) ? true : undefined,
  );
  await traffic.stop();
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /migrated the live routing of myapp \(green, release r1\)/);
  const plain = traffic.samples.filter((s) => s.kind === 'plain');
  assert.ok(plain.length > 20, `plain requests during the migration: ${plain.length}`);
  assert.deepEqual(plain.filter(isFailure), [], 'no plain request failed');
  assert.deepEqual([...new Set(plain.map((s) => s.color))], ['green'], 'every plain request stayed on green');

  const after = await versions();
  assert.equal(after['VirtualService/myapp'], 'absent');
  assert.equal(after['DestinationRule/myapp'], 'absent');
  assert.equal(
    after['Deployment/myapp-green'],
    before['Deployment/myapp-green'],
    'the live color was not touched',
  );
  const vs = await h.kube.getOptional({
    apiVersion: ISTIO,
    kind: 'VirtualService',
    name: 'myapp-blue-green',
    namespace: 'default',
  });
  const record = ['release', 'previous-color', 'previous-release'].map(
    (k) => vs?.metadata.annotations?.[`cutover.dev/${k}`],
  );
  assert.deepEqual(record, ['r1', 'blue', 'r0'], 'the switch record moved with the routing');
  const st = await status(await h.context({ env }));
  assert.equal(`${st.activeColor} ${st.previousColor}`, 'green blue', 'rollback still returns to blue (r0)');
  const cm = await h.kube.getOptional({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: 'myapp-cutover-history',
    namespace: 'default',
  });
  const entry = parseHistory(cm)[0]!;
  assert.equal(`${entry.operation} ${entry.result} ${entry.color}`, 'migrate done green');
  assert.match(
    entry.detail ?? '',
    /from VirtualService default\/myapp to VirtualService default\/myapp-blue-green/,
  );

  // The way forward is open: deploy plans into green, and there is nothing left to migrate.
  const deploy = await cli('deploy', '--dry-run');
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(deploy.stdout, /plan: deploy release \S+ to blue/);
  const again = await cli('migrate');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /nothing to migrate/);
});

test('another router: migrate makes the new data plane serve the live color, retires the old objects and says what is left by hand', async () => {
  await h.writeConfig(demoConfig(h, { router: 'gateway-api' }));
  const refused = await cli('deploy', '--dry-run', '--color', 'blue', '--image', 'demo/myapp:v3');
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(
    refused.stderr,
    /cutover\.yaml names HTTPRoute default\/myapp for app myapp, but users are still served through VirtualService default\/myapp-blue-green \([^)]+\) → green/,
  );
  assert.match(
    refused.stderr,
    /fix: set `router:` back to what it was, or move the live routing to HTTPRoute default\/myapp with `cutover migrate`/,
  );

  const run = await cli('migrate');
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /left to do by hand: users who reach VirtualService default\/myapp-blue-green through the old data plane stay on green: move them to HTTPRoute default\/myapp/,
  );
  const vs = await h.kube.getOptional({
    apiVersion: ISTIO,
    kind: 'VirtualService',
    name: 'myapp-blue-green',
    namespace: 'default',
  });
  assert.match(
    vs?.metadata.annotations?.['cutover.dev/retired-by'] ?? '',
    /^migrate\/.* to HTTPRoute default\/myapp$/,
  );
  // Both data planes serve green v2: the old ingress (until users move) and the new Gateway.
  const ctx = await h.context();
  const plane = await ctx.router.dataPlane(ctx.kube, false);
  for (const url of [h.cluster.gatewayUrl, plane.url!]) {
    const res = await fetch(`${url}/ready`);
    await res.arrayBuffer();
    assert.equal(
      `${res.headers.get('x-cutover-color')} ${res.headers.get('x-app-version')}`,
      'green v2',
      url,
    );
  }
  const deploy = await cli('deploy', '--dry-run', '--image', 'demo/myapp:v3');
  assert.equal(deploy.code, 0, deploy.stderr);

  // Releases carry on with the new router; the retired object still protects the color it serves.
  await deployRelease(await h.context(), { image: 'demo/myapp:v3', release: 'r2' });
  await smokeTest(await h.context(), { release: 'r2' });
  await promote(await h.context(), { release: 'r2' });
  const decommission = await cli('decommission', '--color', 'green', '--force');
  assert.equal(decommission.code, 3, decommission.stderr);
  assert.match(
    decommission.stderr,
    /fix: VirtualService myapp-blue-green was retired by `cutover migrate`: once the users who reach it have moved to HTTPRoute default\/myapp, delete it \(kubectl delete virtualservice myapp-blue-green -n default\)/,
  );
});
