// The generated Semaphore pipelines (seed style: tag-triggered promotions, one queue), run against
// the local cluster as an agent would run them (test/ci-extract.ts): the tag's entry pipeline, the
// deploy pipeline its auto-promotion conditions pick, then the manual promotions Activate, Rollback
// and Decommission. Secrets are attached per block as the files name them: `kubeconfig` puts the
// file at ~/.kube/config, `env-blue` / `env-green` export CUTOVER_ENV_<COLOR>_* variables. The
// install line in the prologue installs cutover from the loopback registry (first job) verbatim.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from './ci-helpers.js';
import { runSemaphoreLines, semaphoreJobs } from './ci-extract.js';
import { SETTINGS, installedFromRegistry, leaks, startCiWorld, type CiWorld } from './ci-e2e-world.js';
import { status } from '../src/engine/status.js';

let w: CiWorld;
const outputs: string[] = [];
before(async () => {
  w = await startCiWorld();
  for (const tag of ['v1.0', 'v2.0-green']) w.addImage(tag);
});
after(async () => {
  await w?.stop();
});

interface Promotion {
  name: string;
  pipeline_file: string;
  auto_promote?: { when: string };
}

async function pipelineFile(file: string): Promise<string> {
  return readFile(join(w.repo, '.semaphore', file), 'utf8');
}

/** Semaphore's auto_promote conditions as the generator writes them: clauses joined by AND. */
function conditionHolds(when: string, tag: string): boolean {
  return when.split(' AND ').every((clause) => {
    if (clause === "result = 'passed'") return true;
    const m = /^tag (=~|!~) '(.*)'$/.exec(clause);
    if (!m) throw new Error(`condition not modelled: ${clause}`);
    return new RegExp(m[2]).test(tag) === (m[1] === '=~');
  });
}

/** The environment a job's attached secrets give it, on top of the agent's. */
async function secretsEnv(secrets: string[]): Promise<Record<string, string>> {
  const kubeconfig = join(w.home, '.kube', 'config');
  await rm(kubeconfig, { force: true });
  if (secrets.includes('kubeconfig')) {
    await mkdir(join(w.home, '.kube'), { recursive: true });
    await writeFile(kubeconfig, w.kubeconfigText, { mode: 0o600 });
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(SETTINGS)) {
    const color = name.includes('_BLUE_') ? 'blue' : 'green';
    if (secrets.includes(`env-${color}`)) env[name] = value;
  }
  return env;
}

/** Runs every job of a pipeline file, blocks in order, stopping at the first failing block. */
async function runPipeline(file: string, tag: string): Promise<{ code: number; stderr: string }> {
  for (const job of semaphoreJobs(await pipelineFile(file))) {
    const env = { ...w.baseEnv, ...(await secretsEnv(job.secrets)), SEMAPHORE_GIT_TAG_NAME: tag };
    const r = await runSemaphoreLines(job.lines, { cwd: w.repo, env, timeoutMs: 240_000 });
    outputs.push(r.stdout, r.stderr);
    if (r.code !== 0) return { code: r.code, stderr: `${file} ${job.block}/${job.job}: ${r.stderr}` };
  }
  return { code: 0, stderr: '' };
}

/** The promotions of a pipeline that fire by themselves for this tag. */
async function autoPromotions(file: string, tag: string): Promise<string[]> {
  const p = parse(await pipelineFile(file)) as { promotions?: Promotion[] };
  return (p.promotions ?? [])
    .filter((x) => x.auto_promote && conditionHolds(x.auto_promote.when, tag))
    .map((x) => x.pipeline_file);
}

async function manualPromotion(file: string, name: string): Promise<string> {
  const p = parse(await pipelineFile(file)) as { promotions?: Promotion[] };
  const found = p.promotions?.find((x) => x.name === name && !x.auto_promote);
  assert.ok(found, `${file} offers the manual promotion ${name}`);
  return found.pipeline_file;
}

/** A pushed tag: the entry pipeline, then the deploy pipeline its conditions pick; returns that file. */
async function pushTag(tag: string): Promise<string> {
  const entry = await runPipeline('semaphore.yml', tag);
  assert.equal(entry.code, 0, entry.stderr);
  const deploys = await autoPromotions('semaphore.yml', tag);
  assert.equal(deploys.length, 1, `exactly one deploy pipeline for ${tag}: ${deploys.join(', ')}`);
  const deploy = await runPipeline(deploys[0], tag);
  assert.equal(deploy.code, 0, deploy.stderr);
  return deploys[0];
}

async function activeColor() {
  return (await status(await w.h.context())).activeColor;
}

test('cutover ci semaphore writes the pipelines into the checkout', async () => {
  const run = await runCli(['ci', 'semaphore'], { cwd: w.repo, env: w.baseEnv });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /created\s+\.semaphore\/semaphore\.yml/);
});

test('a tag that names no version fails the entry pipeline; no deploy pipeline is promoted', async () => {
  const entry = await runPipeline('semaphore.yml', 'vnext-blue');
  assert.equal(entry.code, 2, entry.stderr);
  assert.ok(installedFromRegistry(w), 'the prologue installed cutover from the registry');
  assert.equal(await activeColor(), null);
});

test('tag v1.0 goes to the idle color (blue); Activate makes it live', async () => {
  const deploy = await pushTag('v1.0');
  assert.equal(deploy, 'myapp-deploy.yml');
  const activate = await runPipeline(await manualPromotion(deploy, 'Activate release'), 'v1.0');
  assert.equal(activate.code, 0, activate.stderr);
  assert.equal(await activeColor(), 'blue');
});

test('tag v2.0-green goes to Deploy to Green; activated; the v1.0 workflow cannot roll it back', async () => {
  const deploy = await pushTag('v2.0-green');
  assert.equal(deploy, 'myapp-deploy-green.yml');
  const activateFile = await manualPromotion(deploy, 'Activate Green');
  assert.equal((await runPipeline(activateFile, 'v2.0-green')).code, 0);
  assert.equal(await activeColor(), 'green');
  const rollbackFile = await manualPromotion(activateFile, 'Rollback');
  const stale = await runPipeline(rollbackFile, 'v1.0');
  assert.equal(stale.code, 3, stale.stderr);
  assert.match(stale.stderr, /green serves release v2\.0-green, not v1\.0: refusing a rollback/);
  assert.equal(await activeColor(), 'green');
});

test('Rollback of v2.0-green goes back to blue; Decommission from the v1.0 workflow removes green', async () => {
  const activateFile = 'myapp-activate.yml';
  const rollback = await runPipeline(await manualPromotion(activateFile, 'Rollback'), 'v2.0-green');
  assert.equal(rollback.code, 0, rollback.stderr);
  assert.equal(await activeColor(), 'blue');
  const decommissionFile = await manualPromotion(activateFile, 'Decommission old color');
  // Refused (exit 3) inside the drain window: the release manager presses the button again.
  const deadline = Date.now() + 60_000;
  let r = await runPipeline(decommissionFile, 'v1.0');
  while (r.code === 3 && /drain window|still sends plain traffic/.test(r.stderr)) {
    assert.ok(Date.now() < deadline, 'the drain window ends');
    r = await runPipeline(decommissionFile, 'v1.0');
  }
  assert.equal(r.code, 0, r.stderr);
  const green = await w.h.kube.getOptional({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'myapp-green',
    namespace: 'default',
  });
  assert.equal(green, undefined);
  assert.equal(await activeColor(), 'blue');
});

test('no secret value appeared in any job output', () => {
  assert.ok(outputs.join('').includes('env-green'), 'the sync reported its Secret');
  assert.deepEqual(leaks(outputs), []);
});
