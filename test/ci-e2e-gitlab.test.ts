// The generated .gitlab-ci.yml's jobs, run against the local cluster as a runner would run them
// (test/ci-extract.ts): each tag pipeline's deploy and smoke-test jobs, then its manual jobs. The
// kubeconfig is a File variable (KUBECONFIG holds its path); the per-color settings are CI/CD
// variables named CUTOVER_ENV_<COLOR>_*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from './ci-helpers.js';
import { runGitlabJob } from './ci-extract.js';
import { SETTINGS, installedFromRegistry, leaks, startCiWorld, type CiWorld } from './ci-e2e-world.js';
import { status } from '../src/engine/status.js';

let w: CiWorld;
let yaml: string;
let fileVariable: string;
const outputs: string[] = [];
before(async () => {
  w = await startCiWorld();
  for (const tag of ['v1.0', 'v2.0-green']) w.addImage(tag);
  // GitLab writes a File variable to a temp file and puts its path in the variable.
  fileVariable = join(w.repo, 'KUBECONFIG.file');
  await writeFile(fileVariable, w.kubeconfigText, { mode: 0o600 });
});
after(async () => {
  await w?.stop();
});

/** Runs one job of the pipeline of `tag`; returns its exit code. */
async function job(tag: string, name: string): Promise<{ code: number; stderr: string }> {
  const env = { ...w.baseEnv, ...SETTINGS, CI_COMMIT_TAG: tag, KUBECONFIG: fileVariable };
  const r = await runGitlabJob(yaml, name, { cwd: w.repo, env });
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function pipeline(tag: string, jobs: string[]) {
  for (const name of jobs) {
    const r = await job(tag, name);
    assert.equal(r.code, 0, `${tag} ${name}: ${r.stderr}`);
  }
}

async function activeColor() {
  return (await status(await w.h.context())).activeColor;
}

test('cutover ci gitlab writes .gitlab-ci.yml into the checkout', async () => {
  const run = await runCli(['ci', 'gitlab'], { cwd: w.repo, env: w.baseEnv });
  assert.equal(run.code, 0, run.stderr);
  yaml = await readFile(join(w.repo, '.gitlab-ci.yml'), 'utf8');
});

test('pipeline v1.0: deploy, smoke-test, then the manual promote', async () => {
  await pipeline('v1.0', ['deploy', 'smoke-test', 'promote']);
  assert.ok(installedFromRegistry(w), 'the install line installed cutover from the registry');
  assert.equal(await activeColor(), 'blue');
});

test('pipeline v2.0-green: deploy to green, promote; its rollback; v1.0 pipeline decommissions green', async () => {
  await pipeline('v2.0-green', ['deploy', 'smoke-test', 'promote']);
  assert.equal(await activeColor(), 'green');
  // The stale pipeline's buttons are refused (exit 3) and change nothing.
  const staleRollback = await job('v1.0', 'rollback');
  assert.equal(staleRollback.code, 3);
  assert.match(staleRollback.stderr, /green serves release v2\.0-green, not v1\.0: refusing a rollback/);
  assert.equal(await activeColor(), 'green');

  await pipeline('v2.0-green', ['rollback']);
  assert.equal(await activeColor(), 'blue');
  const staleDecommission = await job('v2.0-green', 'decommission');
  assert.equal(staleDecommission.code, 3, 'v2.0-green is no longer live: its decommission is refused');
  assert.match(
    staleDecommission.stderr,
    /blue serves release v1\.0, not v2\.0-green: refusing a decommission/,
  );

  const deadline = Date.now() + 60_000;
  let r = await job('v1.0', 'decommission');
  while (r.code === 3 && /drain window|still sends plain traffic/.test(r.stderr)) {
    assert.ok(Date.now() < deadline, 'the drain window ends');
    r = await job('v1.0', 'decommission');
  }
  assert.equal(r.code, 0, r.stderr);
  const green = await w.h.kube.getOptional({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'myapp-green',
    namespace: 'default',
  });
  assert.equal(green, undefined);
});

test('no secret value appeared in any job output', () => {
  assert.ok(outputs.join('').includes('env-green'), 'the sync reported its Secret');
  assert.deepEqual(leaks(outputs), []);
});
