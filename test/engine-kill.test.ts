// Crash safety: `cutover deploy` and `cutover promote` killed with SIGKILL at each of their steps,
// then run again, converge — and no plain request fails meanwhile, nor reaches the color under
// test before the promote.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { demoConfig, runCli, spawnCli, startHarness, waitReady, type Harness } from './engine-harness.js';
import { startTraffic, isFailure, type Traffic } from '../src/demo/traffic.js';
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

/** Runs `cutover ARGS` and kills it with SIGKILL once it has started its `step`-th step. */
async function killAtStep(args: string[], operation: string, step: number): Promise<string> {
  const run = spawnCli([...args, '-f', h.configPath], opts());
  let seen = 0;
  let killedAt = '';
  run.child.stderr!.on('data', (c: Buffer) => {
    for (const line of c.toString().split('\n')) {
      const m = new RegExp(`${operation}: (.+) …$`).exec(line);
      if (!m || killedAt) continue;
      if (++seen === step) {
        killedAt = m[1]!;
        run.child.kill('SIGKILL');
      }
    }
  });
  const done = await run.done;
  // A run that finished before reaching the step was not killed: the caller has covered all steps.
  if (!killedAt) assert.equal(done.code, 0, done.stderr);
  // The killed run holds the lock until its lease expires; an operator frees it at once.
  const freed = await runCli(['lock', 'release', '--force', '-f', h.configPath], opts());
  assert.equal(freed.code, 0, freed.stderr);
  return killedAt;
}

test('deploy and promote killed at each step converge when run again, with no failed plain request', async () => {
  traffic = startTraffic({
    url: h.cluster.gatewayUrl,
    path: '/ready',
    plainLoops: 2,
    testLoops: 0,
    pauseMs: 5,
  });
  const deployArgs = ['deploy', '--image', 'demo/myapp:v2', '--release', 'r2'];
  const killed: string[] = [];
  // Each run resumes what the killed one left and is itself killed one step later; the last
  // run must then converge.
  for (let step = 1; step <= 6; step++) {
    const at = await killAtStep(deployArgs, 'deploy', step);
    if (!at) break;
    killed.push(at);
  }
  assert.ok(killed.length >= 5, `killed at: ${killed.join(', ')}`);
  const again = await runCli([...deployArgs, '-f', h.configPath, '-o', 'json'], opts());
  assert.equal(again.code, 0, `deploy after the kills: ${again.stderr}`);
  assert.equal(JSON.parse(again.stdout).color, 'green');
  await waitReady(h, 'green');
  const tested = await runCli(['test', '--release', 'r2', '-f', h.configPath], opts());
  assert.equal(tested.code, 0, tested.stderr);
  const promoteAt = performance.now() - traffic.startedAt;
  for (let step = 1; step <= 2; step++) {
    const at = await killAtStep(['promote', '--release', 'r2'], 'promote', step);
    killed.push(`promote: ${at}`);
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
