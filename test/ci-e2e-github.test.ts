// The generated GitHub Actions workflows' shell steps, run against the local cluster for a whole
// cycle: tag → deploy → test → promote, a second tag, a stale rollback button refused, rollback,
// decommission. The workflows come from `cutover ci github` on the checkout's cutover.yaml; the
// steps run as GitHub would run them (test/ci-extract.ts), with the kubeconfig given as the
// KUBECONFIG_B64 secret and the per-color settings as CUTOVER_ENV_<COLOR>_* secrets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from './ci-helpers.js';
import { runGithubJob, type StepRun } from './ci-extract.js';
import { SETTINGS, installedFromRegistry, leaks, startCiWorld, type CiWorld } from './ci-e2e-world.js';
import { status } from '../src/engine/status.js';
import type { KubeObject } from '../src/kube/types.js';

let w: CiWorld;
const outputs: string[] = [];
before(async () => {
  w = await startCiWorld();
  for (const tag of ['v1.0', 'v2.0-green']) w.addImage(tag);
});
after(async () => {
  await w?.stop();
});

async function workflow(name: string): Promise<string> {
  return readFile(join(w.repo, '.github/workflows', `myapp-${name}.yml`), 'utf8');
}

function secrets(): Record<string, string> {
  return { KUBECONFIG_B64: Buffer.from(w.kubeconfigText).toString('base64'), ...SETTINGS, UNRELATED: 'x' };
}

async function job(
  name: string,
  jobId: string,
  context: { refName?: string; release?: string },
): Promise<StepRun[]> {
  const runs = await runGithubJob(await workflow(name), jobId, {
    cwd: w.repo,
    baseEnv: w.baseEnv,
    context: {
      refName: context.refName,
      inputs: context.release ? { release: context.release } : {},
      secrets: secrets(),
    },
  });
  for (const r of runs) outputs.push(r.stdout, r.stderr);
  return runs;
}

function codes(runs: StepRun[]): Record<string, number | null> {
  return Object.fromEntries(runs.map((r) => [r.name, r.code]));
}

function assertAllPassed(runs: StepRun[]) {
  const failed = runs.filter((r) => r.code !== 0 && r.code !== null);
  assert.deepEqual(
    failed.map((r) => `${r.name}: exit ${r.code}\n${r.stderr}`),
    [],
  );
}

async function live() {
  return status(await w.h.context());
}

async function secretData(name: string): Promise<Record<string, string>> {
  const s = await w.h.kube.get<KubeObject>({ apiVersion: 'v1', kind: 'Secret', name, namespace: 'default' });
  const data = (s.data ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

test('cutover ci github writes the workflows into the checkout', async () => {
  const run = await runCli(['ci', 'github', '--settings', 'DB_PASSWORD,FEATURE_FLAGS'], {
    cwd: w.repo,
    env: w.baseEnv,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /created\s+\.github\/workflows\/myapp-deploy\.yml/);
});

test('a tag that names no version stops at the tag check, before the cluster', async () => {
  const runs = await job('deploy', 'deploy', { refName: 'vnext-blue' });
  const c = codes(runs);
  assert.equal(c['Check the release tag'], 2);
  assert.equal(c.Deploy, null);
  const s = await live();
  assert.equal(s.activeColor, null);
});

test('tag v1.0 deploys to the idle color (blue) with its settings; promote v1.0 makes it live', async () => {
  assertAllPassed(await job('deploy', 'deploy', { refName: 'v1.0' }));
  assert.ok(installedFromRegistry(w), 'the install line installed cutover from the registry');
  assert.deepEqual(await secretData('env-blue'), {
    DB_PASSWORD: SETTINGS.CUTOVER_ENV_BLUE_DB_PASSWORD,
    FEATURE_FLAGS: 'blue-flags',
  });
  assertAllPassed(await job('promote', 'promote', { release: 'v1.0' }));
  const s = await live();
  assert.equal(s.activeColor, 'blue');
});

test("secrets sync refuses the live color's Secret (exit 3) and a color with no settings (exit 2)", async () => {
  const env = { ...w.baseEnv, ...SETTINGS, KUBECONFIG: w.h.cluster.kubeconfigPath };
  const liveColor = await runCli(['secrets', 'sync', '--color', 'blue'], { cwd: w.repo, env });
  assert.equal(liveColor.code, 3, liveColor.stderr);
  assert.match(liveColor.stderr, /default route points to blue/);
  const none = await runCli(['secrets', 'sync', '--tag', 'v9.0', '--prefix', 'NOTHING_'], {
    cwd: w.repo,
    env,
  });
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /no CI variables named NOTHING_GREEN_\* are set/);
  outputs.push(liveColor.stdout, liveColor.stderr, none.stdout, none.stderr);
});

test('tag v2.0-green deploys to green and is promoted; a stale rollback of v1.0 is refused', async () => {
  assertAllPassed(await job('deploy', 'deploy', { refName: 'v2.0-green' }));
  assert.equal((await secretData('env-green')).DB_PASSWORD, SETTINGS.CUTOVER_ENV_GREEN_DB_PASSWORD);
  assertAllPassed(await job('promote', 'promote', { release: 'v2.0-green' }));
  assert.equal((await live()).activeColor, 'green');

  const stale = await job('rollback', 'rollback', { release: 'v1.0' });
  assert.equal(codes(stale).Rollback, 3);
  assert.match(
    stale.find((r) => r.name === 'Rollback')!.stderr,
    /VirtualService default\/myapp: green serves release v2\.0-green, not v1\.0: refusing a rollback/,
  );
  assert.equal((await live()).activeColor, 'green');
});

test('rollback v2.0-green sends traffic back to blue; decommission v1.0 removes green', async () => {
  assertAllPassed(await job('rollback', 'rollback', { release: 'v2.0-green' }));
  assert.equal((await live()).activeColor, 'blue');
  // Decommission refuses (exit 3) inside the drain window, or while a gateway still sends the old
  // color plain traffic, and says "run it again": the pipeline user would press the button again.
  const deadline = Date.now() + 60_000;
  let runs = await job('decommission', 'decommission', { release: 'v1.0' });
  while (
    codes(runs).Decommission === 3 &&
    /drain window|still sends plain traffic/.test(runs.find((r) => r.name === 'Decommission')!.stderr)
  ) {
    assert.ok(Date.now() < deadline, 'the drain window ends');
    runs = await job('decommission', 'decommission', { release: 'v1.0' });
  }
  assertAllPassed(runs);
  const dep = await w.h.kube.getOptional({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'myapp-green',
    namespace: 'default',
  });
  assert.equal(dep, undefined);
  assert.equal((await live()).activeColor, 'blue');
});

test('no secret value appeared in any step output', () => {
  assert.ok(outputs.length > 20);
  assert.deepEqual(leaks(outputs), []);
});
