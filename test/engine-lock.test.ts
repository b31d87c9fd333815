// The per-app lock, with real CLI processes: two deploys run one after the other; --no-wait
// exits 4 while another holder (the test itself, through the Lease) has the lock; a holder
// killed with SIGKILL is taken over once its lease expires, and the run that takes over converges.
import { test, before, after } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import assert from 'node:assert/strict';
import { demoConfig, runCli, spawnCli, startHarness, waitFor, type Harness } from './engine-harness.js';
import { acquireLock, lockStatus } from '../src/lock/index.js';
import { history } from '../src/engine/status.js';

let h: Harness;
before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await h.writeConfig(demoConfig(h, { smokeTests: [], hooks: {}, leaseDurationSeconds: 5 }));
});
after(async () => {
  await h?.stop();
});

const cli = (args: string[]) => ({ cwd: h.dir, env: h.env, args: [...args, '-f', h.configPath] });

async function lockHeld(): Promise<string | undefined> {
  const s = await lockStatus(h.kube, 'default', 'myapp');
  return s.held ? s.summary : undefined;
}

test('two deploys at once run one after the other', async () => {
  const a = cli(['deploy', '--image', 'demo/myapp:v1', '--release', 'ra']);
  const b = cli(['deploy', '--image', 'demo/myapp:v2', '--release', 'rb']);
  const [ra, rb] = await Promise.all([runCli(a.args, a), runCli(b.args, b)]);
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(rb.code, 0, rb.stderr);
  const entries = (await history(await h.context())).entries.filter((e) => e.operation === 'deploy');
  assert.equal(entries.length, 2);
  const [later, earlier] = entries.map((e) => ({
    start: Date.parse(e.at) - e.durationMs!,
    end: Date.parse(e.at),
  }));
  assert.ok(later!.start >= earlier!.end - 5, `the runs overlapped: ${JSON.stringify(entries)}`);
});

test('--no-wait exits 4 while another run holds the lock, naming it; a retry after it lets go succeeds', async (t) => {
  // The other run is this test: it holds the Lease as any holder would, for as long as it likes.
  const holder = await acquireLock(h.kube, {
    namespace: 'default',
    app: 'myapp',
    waitTimeoutMs: 10_000,
    leaseDurationSeconds: 60,
    identity: 'ci-4711@other-runner',
    operation: { app: 'myapp', release: 'rc', phase: 'promote' },
  });
  t.after(() => holder.release());
  const second = cli(['deploy', '--image', 'demo/myapp:v2', '--release', 'rd', '--no-wait', '-o', 'json']);
  const refused = await runCli(second.args, second);
  assert.equal(refused.code, 4, refused.stderr);
  assert.match(
    refused.stderr,
    /lock held by ci-4711@other-runner since [\d:]+ UTC \(promote of release rc\); not waiting \(--no-wait\)/,
  );
  assert.match(refused.stderr, /fix: .*Lease default\/myapp-cutover-lock/);
  assert.equal(refused.stdout, '');
  assert.equal((await lockStatus(h.kube, 'default', 'myapp')).holder, 'ci-4711@other-runner');
  await holder.release();
  const retry = await runCli(second.args, second);
  assert.equal(retry.code, 0, retry.stderr);
  assert.equal((JSON.parse(retry.stdout) as { release: string }).release, 'rd');
});

test('a holder killed with SIGKILL is taken over after its lease expires, and the new run converges', async () => {
  const before = await lockStatus(h.kube, 'default', 'myapp');
  // The victim blocks in its hook (a gate that opens only after the kill), so it is surely killed mid-deploy.
  const stuck = join(h.dir, 'stuck.yaml');
  const hook = { name: 'hold', command: `while [ ! -f ${join(h.dir, 'never')} ]; do sleep 0.05; done` };
  await writeFile(
    stuck,
    stringify(demoConfig(h, { smokeTests: [], hooks: { preTest: [hook] }, leaseDurationSeconds: 5 })),
  );
  const running = spawnCli(['deploy', '--image', 'demo/myapp:v1', '--release', 're', '-f', stuck], {
    cwd: h.dir,
    env: h.env,
  });
  await waitFor(
    'the victim to run its hook',
    async () =>
      (await lockHeld()) && /deploy: pre-test hooks/.test(running.stderrSoFar()) ? true : undefined,
    60_000,
  );
  running.child.kill('SIGKILL');
  const killed = await running.done;
  assert.equal(killed.code, 137);
  // A SIGKILLed run cannot stop its hook: open the gate, or the orphaned loop outlives the test.
  await writeFile(join(h.dir, 'never'), '');
  const startedAt = Date.now();
  const next = cli(['deploy', '--image', 'demo/myapp:v2', '--release', 'rf', '-o', 'json']);
  const run = await runCli(next.args, next);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { release: string; color: string };
  assert.equal(result.release, 'rf');
  const after = await lockStatus(h.kube, 'default', 'myapp');
  assert.ok(after.transitions > before.transitions, 'the lease changed hands');
  assert.ok(Date.now() - startedAt >= 3000, 'the new run waited for the lease to expire');
  const st = await runCli(['status', '-o', 'json', '-f', h.configPath], { cwd: h.dir, env: h.env });
  const status = JSON.parse(st.stdout) as {
    testColor: string;
    colors: Record<string, { release: string; allReady: boolean }>;
  };
  assert.equal(status.colors[status.testColor]!.release, 'rf');
});
