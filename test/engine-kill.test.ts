// Crash safety: `cutover deploy` and `cutover promote` killed with SIGKILL after each of their
// steps (a test-only pause, CUTOVER_PAUSE_AFTER_STEP, puts each kill exactly there), then run
// again, converge — and no plain request fails meanwhile, nor reaches the color under test before
// the promote.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { demoConfig, runCli, spawnCli, startHarness, waitReady, type Harness } from './engine-harness.js';
import { startTraffic, isFailure, type Traffic } from '../src/demo/traffic.js';
import { deploy } from '../src/engine/deploy.js';
import { promote } from '../src/engine/promote.js';
import { release } from '../src/engine/release.js';
import { status } from '../src/engine/status.js';

let h: Harness;
let traffic: Traffic | undefined;
before(async () => {
  h = await startHarness({ propagationDelayMs: 150 });
  await h.writeConfig(
    demoConfig(h, {
      smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
      hooks: {
        preTest: [{ name: 'migrate', exec: { command: ['node', '--import', 'tsx', 'src/migrate.ts'] } }],
      },
    }),
  );
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
});
after(async () => {
  await traffic?.stop();
  await h?.stop();
});

const opts = () => ({ cwd: h.dir, env: h.env });

/**
 * Runs `cutover ARGS` paused right after `step` (CUTOVER_PAUSE_AFTER_STEP: the run sends nothing
 * more) and SIGKILLs it there, so the kill lands exactly between two steps however loaded the
 * machine is. False when the run never reached the step and ended by itself (then it succeeded).
 */
async function killAfter(args: string[], step: string): Promise<boolean> {
  const run = spawnCli([...args, '-f', h.configPath], {
    cwd: h.dir,
    env: { ...h.env, CUTOVER_PAUSE_AFTER_STEP: step },
  });
  const pausedLine = `: ${step} (CUTOVER_PAUSE_AFTER_STEP)`;
  const paused = await new Promise<boolean>((resolve) => {
    run.child.stderr!.on('data', () => run.stderrSoFar().includes(pausedLine) && resolve(true));
    void run.done.then(() => resolve(false));
  });
  if (paused) run.child.kill('SIGKILL');
  const done = await run.done;
  if (!paused) assert.equal(done.code, 0, done.stderr);
  // The killed run holds the lock until its lease expires; an operator frees it at once.
  const freed = await runCli(['lock', 'release', '--force', '-f', h.configPath], opts());
  assert.equal(freed.code, 0, freed.stderr);
  return paused;
}

/** The names of an operation's steps, in order, from its dry run (the same steps as a real run). */
const stepNames = (records: Array<{ name: string }>) => records.map((r) => r.name);

test('deploy and promote killed at each step converge when run again, with no failed plain request', async () => {
  traffic = startTraffic({
    url: h.cluster.gatewayUrl,
    path: '/ready',
    plainLoops: 2,
    testLoops: 0,
    pauseMs: 5,
  });
  const deployArgs = ['deploy', '--image', 'demo/myapp:v2', '--release', 'r2'];
  const deploySteps = stepNames(
    (await deploy(await h.context({ dryRun: true }), { image: 'demo/myapp:v2', release: 'r2' })).steps,
  );
  assert.ok(deploySteps.length >= 5, deploySteps.join(', '));
  // Each run resumes what the killed one left and is itself killed one step later; the last
  // run must then converge.
  const killed: string[] = [];
  for (const step of deploySteps) if (await killAfter(deployArgs, step)) killed.push(step);
  assert.deepEqual(killed, deploySteps, 'killed after every step of deploy, in order');
  const again = await runCli([...deployArgs, '-f', h.configPath, '-o', 'json'], opts());
  assert.equal(again.code, 0, `deploy after the kills: ${again.stderr}`);
  assert.equal(JSON.parse(again.stdout).color, 'green');
  await waitReady(h, 'green');
  const tested = await runCli(['test', '--release', 'r2', '-f', h.configPath], opts());
  assert.equal(tested.code, 0, tested.stderr);
  const promoteAt = performance.now() - traffic.startedAt;
  const promoteSteps = stepNames((await promote(await h.context({ dryRun: true }), { release: 'r2' })).steps);
  for (const step of promoteSteps) {
    assert.ok(await killAfter(['promote', '--release', 'r2'], step), `promote killed after ${step}`);
  }
  const promoted = await runCli(['promote', '--release', 'r2', '-f', h.configPath, '-o', 'json'], opts());
  assert.equal(promoted.code, 0, promoted.stderr);
  assert.equal(JSON.parse(promoted.stdout).color, 'green');
  await traffic.stop();

  const plain = traffic.samples.filter((s) => s.kind === 'plain');
  assert.deepEqual(
    plain.filter(isFailure).map((s) => `${s.status} ${s.error ?? ''}`),
    [],
  );
  const early = plain.filter((s) => s.at + s.latencyMs < promoteAt && s.color !== 'blue');
  assert.deepEqual(
    early.map((s) => s.color),
    [],
  );
  const st = await status(await h.context());
  assert.equal(st.activeColor, 'green');
  assert.equal(st.colors.green.release, 'r2');
});
