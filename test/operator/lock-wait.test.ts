// Waiting for the release lock is visible: the holder (who, what, since when, last renewal) at
// once, then a line every few seconds in CI; --lock-timeout bounds the wait over cutover.yaml's
// lockTimeoutSeconds, and --no-wait fails at once. Exit 4 either way, naming the holder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connect } from '../../src/kube/index.js';
import type { KubeClient } from '../../src/kube/types.js';
import { acquireLock } from '../../src/lock/index.js';
import type { HeldLock } from '../../src/lock/types.js';
import { startLocalCluster, type LocalCluster } from '../../src/local/cluster.js';
import { runCli, spawnCli, waitFor } from '../engine-harness.js';

let dir: string;
let cluster: LocalCluster;
let kube: KubeClient;
let held: HeldLock;
let env: Record<string, string>;
let config: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutover-lockwait-'));
  cluster = await startLocalCluster({ stateDir: join(dir, 'state'), database: false });
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    KUBECONFIG: cluster.kubeconfigPath,
    CI: 'true',
  };
  kube = connect({ kubeconfig: cluster.kubeconfigPath, env });
  config = join(dir, 'cutover.yaml');
  await writeFile(config, stringify({ app: 'queued', namespace: 'default', lockTimeoutSeconds: 600 }));
  held = await acquireLock(kube, {
    namespace: 'default',
    app: 'queued',
    waitTimeoutMs: 0,
    identity: 'ci-4711@runner-7',
    operation: { app: 'queued', release: 'r42', phase: 'promote' },
    leaseDurationSeconds: 30,
    renewEveryMs: 2000,
  });
});
after(async () => {
  await held?.release();
  kube?.close();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a queued run names the holder at once, keeps saying so, and gives up at --lock-timeout', async () => {
  const started = Date.now();
  const run = spawnCli(['deploy', '--image', 'demo/ok:1', '-f', config, '--lock-timeout', '16'], {
    cwd: dir,
    env,
  });
  const announced = await waitFor(
    'the holder announced',
    async () => /waiting for the release lock: (.*)\n/.exec(run.stderrSoFar())?.[1],
    30_000,
  );
  assert.match(
    announced,
    /^lock held by ci-4711@runner-7 since \d\d:\d\d:\d\d UTC \(promote of release r42\), last renewed \d+ s ago; waiting up to 16 s/,
  );
  const done = await run.done;
  const seconds = (Date.now() - started) / 1000;
  assert.equal(done.code, 4, done.stderr);
  assert.ok(seconds >= 16 && seconds < 45, `ended after ${seconds} s`);
  // In CI, the wait goes on printing: one line about every 10 s, each with the time waited (the
  // line is due 10 s after the step began, the wait started a few ms later: "10 s", or "9.9 s").
  const reminder =
    /Z {3}… waiting for the release lock: lock held by ci-4711@runner-7 .*; (\d+(?:\.\d)?) s of 16 s\n/.exec(
      done.stderr,
    );
  assert.ok(reminder, done.stderr);
  const waited = Number(reminder[1]);
  assert.ok(waited >= 9.5 && waited < 16, `the reminder said ${waited} s waited`);
  assert.match(done.stderr, /error: lock held by ci-4711@runner-7 .*; waited 16 s/);
  assert.match(done.stderr, /fix: .*--lock-timeout/);
});

test('--no-wait fails at once with the holder; a bad --lock-timeout is exit 2', async () => {
  const started = Date.now();
  const run = await runCli(['deploy', '--image', 'demo/ok:1', '-f', config, '--no-wait'], { cwd: dir, env });
  assert.equal(run.code, 4, run.stderr);
  assert.match(
    run.stderr,
    /error: lock held by ci-4711@runner-7 since .* \(promote of release r42\); not waiting \(--no-wait\)/,
  );
  assert.ok(Date.now() - started < 15_000);
  const bad = await runCli(['deploy', '--image', 'demo/ok:1', '-f', config, '--lock-timeout', '-1'], {
    cwd: dir,
    env,
  });
  assert.equal(bad.code, 2, bad.stderr);
});
