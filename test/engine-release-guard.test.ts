// The release guard of rollback and decommission, through the CLI as a CI button runs it
// (`--release <the tag that was promoted>`): a stale id exits 3, names the VirtualService and the
// remedy, and writes nothing (every managed object keeps its resourceVersion); the right id acts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  demoConfig,
  runCli,
  startHarness,
  waitReady,
  type CliRun,
  type Harness,
  resourceVersions,
} from './engine-harness.js';
import { deploy } from '../src/engine/deploy.js';
import { test as smokeTest } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';

let h: Harness;
before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await h.writeConfig(
    demoConfig(h, {
      drainSeconds: 0,
      smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
      hooks: {},
    }),
  );
  // r1 went live on blue, then r2 replaced it on green: blue is the previous color.
  for (const release of ['r1', 'r2']) {
    await deploy(await h.context(), { image: `demo/myapp:${release.replace('r', 'v')}`, release });
    await smokeTest(await h.context(), { release });
    await promote(await h.context(), { release });
  }
});
after(async () => {
  await h?.stop();
});

const MANAGED = [
  ['networking.istio.io/v1', 'VirtualService', 'myapp'],
  ['networking.istio.io/v1', 'DestinationRule', 'myapp'],
  ['networking.istio.io/v1', 'Gateway', 'myapp-gateway'],
  ['v1', 'Service', 'myapp'],
  ['v1', 'ConfigMap', 'myapp-cutover-history'],
  ['apps/v1', 'Deployment', 'myapp-blue'],
  ['apps/v1', 'Deployment', 'myapp-green'],
] as const;

/** resourceVersion of every object cutover manages: any write, even of status, changes one. */
const versions = () => resourceVersions(h, MANAGED);

async function settled(): Promise<void> {
  for (const color of ['blue', 'green'] as const) {
    const dep = await h.kube.getOptional({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: `myapp-${color}`,
      namespace: 'default',
    });
    if (dep) await waitReady(h, color);
  }
}

function cli(args: string[]): Promise<CliRun> {
  return runCli([...args, '-f', h.configPath], { cwd: h.dir, env: h.env });
}

async function refused(args: string[], pattern: RegExp): Promise<void> {
  await settled();
  const before = await versions();
  const run = await cli(args);
  assert.equal(run.code, 3, `exit code of cutover ${args.join(' ')}: ${run.stderr}`);
  assert.match(run.stderr, /error: VirtualService default\/myapp: /);
  assert.match(run.stderr, pattern);
  assert.match(run.stderr, /\n {2}fix: \S/);
  assert.equal(run.stdout, '');
  assert.deepEqual(await versions(), before, 'no managed object was written');
}

async function accepted(args: string[]): Promise<{ color: string; release: string | null }> {
  const run = await cli([...args, '-o', 'json']);
  assert.equal(run.code, 0, `exit code of cutover ${args.join(' ')}: ${run.stderr}`);
  return JSON.parse(run.stdout) as { color: string; release: string | null };
}

test('rollback and decommission of a release that is not live are refused, cluster unchanged', async () => {
  await refused(
    ['rollback', '--release', 'r1'],
    /green serves release r2, not r1: refusing a rollback for a release that is not live\.\n {2}fix: run the rollback of release r2 \(--release r2\)/,
  );
  await refused(
    ['decommission', '--release', 'r1'],
    /green serves release r2, not r1: refusing a decommission/,
  );
  // The guard comes first: --force and --dry-run do not get past it.
  await refused(
    ['decommission', '--release', 'r1', '--force', '--dry-run'],
    /not r1: refusing a decommission/,
  );
  await refused(['rollback', '--release', 'r0', '--dry-run'], /not r0: refusing a rollback/);
});

test('the live release rolls back; a re-run of the same button only verifies, an older one is refused', async () => {
  const first = await accepted(['rollback', '--release', 'r2']);
  assert.deepEqual([first.color, first.release], ['blue', 'r1']);
  const again = await accepted(['rollback', '--release', 'r2']);
  assert.deepEqual([again.color, again.release], ['blue', 'r1']);
  // r1 is live again, but rolling back from it would go further back than the last switch.
  await refused(
    ['rollback', '--release', 'r1'],
    /the last switch already rolled back from release r2 to blue, not r1: refusing a rollback/,
  );
});

test('decommission names the live release: a stale one is refused, the live one retires the idle color', async () => {
  await refused(
    ['decommission', '--release', 'r2'],
    /blue serves release r1, not r2: refusing a decommission/,
  );
  const done = await accepted(['decommission', '--release', 'r1']);
  assert.deepEqual([done.color, done.release], ['green', 'r2']);
  const green = await h.kube.getOptional({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'myapp-green',
    namespace: 'default',
  });
  assert.equal(green, undefined);
});
