// The seed's own manifests/ folder, unchanged, released through cutover the way its Semaphore
// pipelines would (one CLI run per block, the workflow id as the release), with DB_PASSWORD in
// the environment — and that password in no output, log, event or history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEMO_APP,
  REPO_ROOT,
  runCli,
  startHarness,
  waitReady,
  type CliRun,
  type Harness,
} from './engine-harness.js';

const PASSWORD = 'Sup3r-S3cret-pw-8271';
let h: Harness;
let env: Record<string, string>;
const outputs: CliRun[] = [];

before(async () => {
  h = await startHarness({ propagationDelayMs: 100 });
  await cp(join(REPO_ROOT, 'examples', 'seed-manifests'), join(h.dir, 'manifests'), { recursive: true });
  h.cluster.images.add('demo/myapp:wf1', {
    dir: DEMO_APP,
    env: { APP_VERSION: 'v1' },
    command: ['node', '--import', 'tsx', 'src/app.ts'],
  });
  h.cluster.images.add('demo/myapp:wf2', {
    dir: DEMO_APP,
    env: { APP_VERSION: 'v2' },
    command: ['node', '--import', 'tsx', 'src/app.ts'],
  });
  await h.writeConfig({
    app: 'myapp',
    namespace: 'default',
    manifests: 'manifests',
    smokeTests: [
      { name: 'Endpoint test', http: { path: '/ready', expect: ['.ready == true'] } },
      { name: 'Functional test', exec: { command: ['npm', 'run', 'ping'] } },
    ],
    hooks: { preTest: [{ name: 'migrate', exec: { command: ['npm', 'run', 'migrate'] } }] },
    drainSeconds: 1,
    rolloutTimeoutSeconds: 90,
  });
  env = {
    ...h.env,
    DOCKER_USERNAME: 'demo',
    DB_HOST: h.cluster.database!.host,
    DB_PORT: String(h.cluster.database!.port),
    DB_SCHEMA: 'postgres',
    DB_USER: 'postgres',
    DB_PASSWORD: PASSWORD,
  };
});
after(async () => {
  await h?.stop();
});

async function cutover(args: string[], workflow: string): Promise<CliRun> {
  const run = await runCli([...args, '-f', h.configPath], {
    cwd: h.dir,
    env: { ...env, SEMAPHORE_WORKFLOW_ID: workflow },
  });
  outputs.push(run);
  assert.equal(run.code, 0, `cutover ${args.join(' ')}: ${run.stderr}`);
  return run;
}

async function liveSubset(): Promise<string | undefined> {
  const vs = await h.kube.get({
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'VirtualService',
    name: 'myapp-blue-green',
    namespace: 'default',
  });
  const http = (vs.spec as { http: Array<{ route: Array<{ destination: { subset: string } }> }> }).http;
  // The seed's own check: .spec.http[-1].route[0].destination.subset
  return http[http.length - 1]!.route[0]!.destination.subset;
}

test("the seed's manifests folder releases unchanged, pipeline block by pipeline block", async () => {
  const first = JSON.parse((await cutover(['release', '-o', 'json'], 'wf1')).stdout) as {
    release: string;
    color: string;
  };
  assert.deepEqual([first.release, first.color], ['wf1', 'blue']);
  assert.equal(await liveSubset(), 'blue');

  // Deploy to Green / Smoke Tests / Activate Green, each its own job.
  const plan = JSON.parse(
    (await cutover(['deploy', '--tag', 'v2.0-green', '--dry-run', '-o', 'json'], 'wf2')).stdout,
  ) as { dryRun: boolean; color: string };
  assert.deepEqual([plan.dryRun, plan.color], [true, 'green']);
  await cutover(['deploy', '--tag', 'v2.0-green'], 'wf2');
  await waitReady(h, 'green');
  await cutover(['test'], 'wf2');
  const promoted = JSON.parse((await cutover(['promote', '-o', 'json'], 'wf2')).stdout) as {
    color: string;
    release: string;
  };
  assert.deepEqual([promoted.color, promoted.release], ['green', 'wf2']);
  assert.equal(await liveSubset(), 'green');
  const answer = await fetch(`${h.cluster.gatewayUrl}/ready`);
  assert.equal(answer.headers.get('x-app-version'), 'v2');

  // The password reached the pods (so the checks below can fail)…
  const dep = await h.kube.get({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'myapp-green',
    namespace: 'default',
  });
  assert.ok(JSON.stringify(dep.spec).includes(PASSWORD));
  await cutover(['status', '-o', 'json'], 'wf2');
  await cutover(['history'], 'wf2');
});

test('no secret value in any output, log, event or the history', async () => {
  assert.ok(outputs.length >= 6);
  for (const run of outputs) {
    assert.ok(!run.stdout.includes(PASSWORD), 'stdout leaks the password');
    assert.ok(!run.stderr.includes(PASSWORD), 'stderr leaks the password');
  }
  const events = await h.kube.list('v1', 'Event', '');
  assert.ok(!JSON.stringify(events.items).includes(PASSWORD), 'an event leaks the password');
  const hist = await h.kube.get({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: 'myapp-cutover-history',
    namespace: 'default',
  });
  assert.ok(!JSON.stringify(hist).includes(PASSWORD), 'the history leaks the password');
  const lease = await h.kube.get({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    name: 'myapp-cutover-lock',
    namespace: 'default',
  });
  assert.ok(!JSON.stringify(lease).includes(PASSWORD));
});
