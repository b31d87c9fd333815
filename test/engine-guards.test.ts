// Every guard, through the CLI as a CI job would run it: exit code 3, a message naming the object
// and the remedy, and the cluster's app objects exactly as they were.
import { test, before, after } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import assert from 'node:assert/strict';
import { demoConfig, runCli, startHarness, waitReady, type CliRun, type Harness } from './engine-harness.js';
import { deploy } from '../src/engine/deploy.js';
import { test as smokeTest } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';

let h: Harness;
before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await h.writeConfig(
    demoConfig(h, {
      drainSeconds: 600,
      smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
      hooks: {},
    }),
  );
  await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await smokeTest(await h.context(), { release: 'r1' });
  await promote(await h.context(), { release: 'r1' });
  await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
});
after(async () => {
  await h?.stop();
});

/**
 * What the engine may change of every object it manages: spec, labels, annotations. (Not the
 * resourceVersion: controllers write Deployment status on their own, e.g. when a probe fails.)
 */
async function snapshot(): Promise<Record<string, string | undefined>> {
  const refs = [
    ['networking.istio.io/v1', 'VirtualService', 'myapp'],
    ['networking.istio.io/v1', 'DestinationRule', 'myapp'],
    ['networking.istio.io/v1', 'Gateway', 'myapp-gateway'],
    ['v1', 'Service', 'myapp'],
    ['apps/v1', 'Deployment', 'myapp-blue'],
    ['apps/v1', 'Deployment', 'myapp-green'],
  ] as const;
  const out: Record<string, string | undefined> = {};
  for (const [apiVersion, kind, name] of refs) {
    const o = await h.kube.getOptional({ apiVersion, kind, name, namespace: 'default' });
    out[`${kind}/${name}`] = o
      ? JSON.stringify({
          spec: o.spec,
          labels: o.metadata.labels,
          annotations: o.metadata.annotations,
          generation: o.metadata.generation,
        })
      : 'absent';
  }
  return out;
}

async function refused(args: string[], pattern: RegExp): Promise<CliRun> {
  const before = await snapshot();
  const run = await runCli([...args, '-f', h.configPath], { cwd: h.dir, env: h.env });
  assert.equal(run.code, 3, `exit code of cutover ${args.join(' ')}: ${run.stderr}`);
  assert.match(run.stderr, pattern);
  assert.match(run.stderr, /\n {2}fix: \S/);
  assert.equal(run.stdout, '');
  assert.deepEqual(await snapshot(), before, 'the cluster is unchanged');
  return run;
}

test('deploy into the live color is refused', async () => {
  const run = await refused(
    ['deploy', '--image', 'demo/myapp:v3', '--color', 'blue'],
    /VirtualService default\/myapp: default route points to blue, the color you are deploying to\./,
  );
  assert.match(run.stderr, /fix: Deploy to green, or promote first\./);
  await refused(['deploy', '--image', 'demo/myapp:v3', '--tag', 'v3.0-blue'], /default route points to blue/);
});

test('promote of an untested release is refused', async () => {
  await refused(['promote'], /Deployment default\/myapp-green: release r2 on green has not been tested/);
});

test('a failing smoke test exits 1, records the verdict, and promote then refuses', async () => {
  await waitReady(h, 'green');
  const failing = join(h.dir, 'failing.yaml');
  await writeFile(
    failing,
    stringify(
      demoConfig(h, {
        drainSeconds: 600,
        hooks: {},
        smokeTests: [
          { name: 'version', http: { path: '/ready', expect: ['.version == "v9"'], attempts: 2 } },
          {
            name: 'tester env',
            command:
              "node -e \"fetch(process.env.CUTOVER_TEST_URL + '/ready', { headers: { cookie: process.env.CUTOVER_TEST_COOKIE } }).then((r) => process.exit(r.headers.get('x-cutover-color') === process.env.CUTOVER_TEST_COLOR ? 0 : 1))\"",
          },
        ],
      }),
    ),
  );
  const run = await runCli(['test', '-f', failing], { cwd: h.dir, env: h.env });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /version: GET \/ready: expected \.version == "v9", got "v2"/);
  assert.match(run.stderr, /passed: tester env/);
  await refused(['promote'], /release r2 on green failed its smoke tests/);
});

test('promote of a stale release is refused', async () => {
  await waitReady(h, 'green');
  await smokeTest(await h.context(), { release: 'r2' });
  // r0 stands for a release whose pipeline runs late: r2 has replaced it on green since.
  await refused(
    ['promote', '--release', 'r0'],
    /Deployment default\/myapp-green runs release r2, not r0: refusing a stale release/,
  );
  // The CI run id names the release when --release is absent (the seed's workflow label check).
  const before = await snapshot();
  const run = await runCli(['promote', '-f', h.configPath], {
    cwd: h.dir,
    env: { ...h.env, SEMAPHORE_WORKFLOW_ID: 'wf-other' },
  });
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /runs release r2, not wf-other/);
  assert.deepEqual(await snapshot(), before);
});

test('decommission of the live color, and inside the drain window, is refused', async () => {
  await refused(
    ['decommission', '--color', 'blue'],
    /VirtualService default\/myapp: default route points to blue, the color you are decommissioning/,
  );
  await refused(['decommission', '--color', 'blue', '--force'], /default route points to blue/);
  await waitReady(h, 'green');
  const run = await runCli(['promote', '--release', 'r2', '-f', h.configPath, '-o', 'json'], {
    cwd: h.dir,
    env: h.env,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).color, 'green');
  await refused(['decommission'], /blue stopped serving plain traffic at .*drain window of 600 s/);
});

test('rollback to a decommissioned color is refused', async () => {
  const run = await runCli(['decommission', '--force', '-f', h.configPath], { cwd: h.dir, env: h.env });
  assert.equal(run.code, 0, run.stderr);
  await refused(['rollback'], /Deployment default\/myapp-blue does not exist: nothing runs on blue/);
});
