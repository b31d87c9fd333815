// Retries of `cutover release` as CI makes them — after success, after a SIGKILL after each step —
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
  // A route change takes 600 ms to reach the gateway: a switch stays in its verification long
  // enough for a SIGKILL sent after its write to land before the run ends.
  h = await startHarness({ propagationDelayMs: 600 });
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
 * Runs `cutover release …` and kills it with SIGKILL once one of `steps` has finished; returns
 * that step, or undefined when the run ended first (it must then have succeeded).
 */
async function killAfter(args: string[], steps: string[]): Promise<string | undefined> {
  const run = spawnCli([...args, '-f', h.configPath], opts());
  let killedAfter: string | undefined;
  run.child.stderr!.on('data', () => {
    if (killedAfter) return;
    killedAfter = finishedSteps(run.stderrSoFar()).find((s) => steps.includes(s));
    if (killedAfter) run.child.kill('SIGKILL');
  });
  const done = await run.done;
  if (!killedAfter) assert.equal(done.code, 0, done.stderr);
  // The killed run holds the lock until its lease expires; an operator frees it at once.
  const freed = await cli(['lock', 'release', '--force']);
  assert.equal(freed.code, 0, freed.stderr);
  return killedAfter;
}

test('a release killed after each of its steps converges when retried, and rollback still returns to r2', async () => {
  assert.ok(freshSteps.length >= 7, `steps of a fresh release: ${freshSteps.join(', ')}`);
  const args = ['release', '--image', 'demo/myapp:v4', '--release', 'r4'];
  const green = await deployment('green');
  const killed: string[] = [];
  // Each retry resumes what the killed run left and is itself killed after the next step; a
  // retry that skips the step (because the cluster shows it done) passes on to the next one.
  // A SIGKILL lands a moment after the line that triggers it, so a run may get one step further;
  // the next run is then killed after the step after that.
  for (let next = 0; next < freshSteps.length;) {
    const at = await killAfter(args, freshSteps.slice(next));
    if (!at) break;
    killed.push(at);
    next = freshSteps.indexOf(at) + 1;
  }
  assert.ok(killed.length >= freshSteps.length / 2, `killed after: ${killed.join(', ')}`);
  // The last kills land around the switch (after the verdict, or after the route's write).
  assert.ok(
    killed.some((s) => /^(record the verdict|ensure subset blue|switch all traffic to blue)$/.test(s)),
    `killed up to the promote: ${killed.join(', ')}`,
  );
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
