// Retries of `cutover release` as CI makes them — after success, after a SIGKILL after each step
// (a test-only pause, CUTOVER_PAUSE_AFTER_STEP, puts each kill exactly between two steps) —
// converge on the release id without ever deploying it into the color that holds the way back:
// every case ends with `cutover rollback` returning users to r2 on green.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  demoConfig,
  runCli,
  spawnCli,
  startHarness,
  waitFor,
  type CliRun,
  type Harness,
} from './engine-harness.js';
import { DEMO_APP } from './engine-harness.js';
import { release } from '../src/engine/release.js';

let h: Harness;
before(async () => {
  h = await startHarness({ propagationDelayMs: 100 });
  for (const v of ['v4', 'v5']) {
    h.cluster.images.add(`demo/myapp:${v}`, {
      dir: DEMO_APP,
      env: { APP_VERSION: v },
      command: ['node', '--import', 'tsx', 'src/app.ts'],
    });
  }
  await h.writeConfig(
    demoConfig(h, {
      drainSeconds: 0,
      smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
      hooks: {},
    }),
  );
  // r1 went live on blue, then r2 on green: blue holds r1, the rollback target.
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await release(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
});
after(async () => {
  await h?.stop();
});

const opts = () => ({ cwd: h.dir, env: h.env });
const cli = (args: string[]): Promise<CliRun> => runCli([...args, '-f', h.configPath], opts());

async function deployment(color: string) {
  const d = await h.kube.getOptional({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: `myapp-${color}`,
    namespace: 'default',
  });
  return { release: d?.metadata.labels?.['cutover.dev/release'], generation: d?.metadata.generation };
}

/** What a plain user gets from the gateway now: the serving color and the app's version. */
async function served(): Promise<string> {
  const res = await fetch(`${h.cluster.gatewayUrl}/ready`);
  await res.arrayBuffer();
  return `${res.headers.get('x-cutover-color')} ${res.headers.get('x-app-version')}`;
}

/** `cutover rollback` takes users back to r2 on green, and the gateway agrees. */
async function rollsBackToR2(): Promise<void> {
  const rb = await cli(['rollback', '-o', 'json']);
  assert.equal(rb.code, 0, `rollback: ${rb.stderr}`);
  const r = JSON.parse(rb.stdout) as { color: string; release: string };
  assert.deepEqual([r.color, r.release], ['green', 'r2']);
  await waitFor('users served by green v2', async () => ((await served()) === 'green v2' ? true : undefined));
}

/** Step names of a run's stderr that finished (done or skipped), in order. */
function finishedSteps(stderr: string): string[] {
  return [...stderr.matchAll(/[✔•] \w+: (.+?)(?: — .*)? \(\d+ ms\)$/gm)].map((m) => m[1]!);
}

let freshSteps: string[] = [];

test('a retry after success finds the release live, verifies it and writes nothing', async () => {
  const first = await cli(['release', '--image', 'demo/myapp:v3', '--release', 'r3']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /release r1 on blue stopped being the rollback target/);
  freshSteps = finishedSteps(first.stderr);
  const green = await deployment('green');
  const blue = await deployment('blue');
  const again = await cli(['release', '--image', 'demo/myapp:v3', '--release', 'r3']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /release r3 is already live on blue, verified; neither color was touched/);
  assert.doesNotMatch(again.stderr, /rollback target|warning/);
  assert.deepEqual(await deployment('green'), green, 'green (r2, the way back) untouched');
  assert.deepEqual(await deployment('blue'), blue, 'blue (r3, live) untouched');
  // The same id with another image is another release pretending to be this one: refused.
  const other = await cli(['deploy', '--image', 'demo/myapp:v4', '--release', 'r3']);
  assert.equal(other.code, 3, other.stderr);
  assert.match(other.stderr, /serves release r3 with image demo\/myapp:v3, not demo\/myapp:v4/);
  // Deploying the live id again into the other color would overwrite the way back: refused.
  const elsewhere = await cli(['deploy', '--image', 'demo/myapp:v3', '--release', 'r3', '--color', 'green']);
  assert.equal(elsewhere.code, 3, elsewhere.stderr);
  assert.match(elsewhere.stderr, /release r3 is already live on blue; deploying it to green would replace/);
  assert.deepEqual(await deployment('green'), green, 'green (r2, the way back) untouched');
  await rollsBackToR2();
});

/**
 * Runs `cutover release …` paused right after `step` (CUTOVER_PAUSE_AFTER_STEP: after that step
 * the run sends nothing more) and SIGKILLs it there, so the kill lands exactly between two steps
 * however loaded the machine is. Returns false when the run never reached the step (a retry that
 * finds it done in the cluster resumes past it) and ended by itself — then it must have succeeded.
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
  const freed = await cli(['lock', 'release', '--force']);
  assert.equal(freed.code, 0, freed.stderr);
  return paused;
}

test('a release killed after each of its steps converges when retried, and rollback still returns to r2', async () => {
  assert.ok(freshSteps.length >= 7, `steps of a fresh release: ${freshSteps.join(', ')}`);
  const args = ['release', '--image', 'demo/myapp:v4', '--release', 'r4'];
  const green = await deployment('green');
  // Each retry resumes what the killed run left and is itself killed after the next step.
  const killed: string[] = [];
  for (const step of freshSteps) {
    if (await killAfter(args, step)) killed.push(step);
    // A crash never moves users: green v2 serves them until the switch, blue v4 once it is done.
    const users = /^switch all traffic/.test(step) ? 'blue v4' : 'green v2';
    assert.equal(await served(), users, `users after a kill after "${step}"`);
  }
  assert.deepEqual(killed, freshSteps, 'killed after every step of a release, in order');
  const last = await cli([...args, '-o', 'json']);
  assert.equal(last.code, 0, last.stderr);
  const r = JSON.parse(last.stdout) as { color: string; resumed: string | null };
  assert.deepEqual([r.color, r.resumed], ['blue', 'live']);
  assert.deepEqual(await deployment('green'), green, 'green (r2) was never written');
  assert.equal(await served(), 'blue v4');
  await rollsBackToR2();
});

test('a release deployed and tested before (a run killed between test and promote) resumes at promote', async () => {
  // `deploy` then `test` leave what a release killed right after its verdict leaves; a kill
  // cannot be aimed between two writes a few milliseconds apart, these two commands can.
  for (const step of [
    ['deploy', '--image', 'demo/myapp:v5', '--release', 'r5'],
    ['test', '--release', 'r5'],
  ]) {
    const run = await cli(step);
    assert.equal(run.code, 0, run.stderr);
  }
  const again = await cli(['release', '--image', 'demo/myapp:v5', '--release', 'r5']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /release r5 is already on blue and passed its tests: resuming at promote/);
  assert.doesNotMatch(again.stderr, /smoke tests against|apply Deployment/);
  assert.equal(await served(), 'blue v5');
  await rollsBackToR2();
});
