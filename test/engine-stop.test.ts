// Every run ends truthfully and promptly. The CLI reaches the API server through a proxy that
// stalls one chosen response after its headers (the write behind it IS applied). SIGTERM then
// ends `promote` and `status` within 2 s; the promote releases the lock and says — in its last
// words and in the history — where plain traffic is (the stalled VirtualService write moved it).
// Without a signal, the operation deadline (operationTimeoutSeconds) ends a stalled run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  demoConfig,
  runCli,
  spawnCli,
  startHarness,
  waitFor,
  type CliRun,
  type Harness,
} from './engine-harness.js';
import { startFaultProxy, type FaultKind, type FaultProxy } from './helpers/fault-proxy.js';
import { deploy } from '../src/engine/deploy.js';
import { release } from '../src/engine/release.js';
import { test as smokeTest } from '../src/engine/test.js';
import { readHistory } from '../src/engine/history.js';

let h: Harness;
let proxy: FaultProxy;
let env: Record<string, string>;
before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await h.writeConfig(
    demoConfig(h, {
      smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
      hooks: {},
    }),
  );
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  await smokeTest(await h.context(), { release: 'r2' });
  proxy = await startFaultProxy({ target: h.cluster.apiUrl, plan: () => undefined });
  const kubeconfig = join(h.dir, 'via-proxy.kubeconfig');
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'p', cluster: { server: proxy.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'p', context: { cluster: 'p', user: 'u', namespace: 'default' } }],
      'current-context': 'p',
    }),
  );
  env = { ...h.env, KUBECONFIG: kubeconfig };
});
after(async () => {
  await proxy?.close();
  await h?.stop();
});

/** Stalls the first request that `pick` chooses; forwards everything else. */
function stallFirst(pick: (method: string, url: string) => boolean): void {
  let done = false;
  proxy.setPlan((_n, req): FaultKind | undefined => {
    if (done || !pick(req.method ?? '', req.url ?? '')) return undefined;
    done = true;
    return 'stall';
  });
}

/** Starts `cutover ARGS`, waits for the stall, sends SIGTERM; returns the run and how long it took to end. */
async function terminatedDuringStall(args: string[], extraEnv: Record<string, string> = {}) {
  const earlier = proxy.stats.byKind.stall;
  const run = spawnCli([...args, '-f', h.configPath], { cwd: h.dir, env: { ...env, ...extraEnv } });
  await waitFor(
    'the stalled response',
    async () => (proxy.stats.byKind.stall > earlier ? true : undefined),
    60_000,
  );
  const stalls = proxy.stats.byKind.stall - earlier;
  const sent = performance.now();
  run.child.kill('SIGTERM');
  const done: CliRun = await run.done;
  return { done, ms: performance.now() - sent, stalls };
}

test('SIGTERM ends a promote whose route write stalls within 2 s: lock released, state reported and recorded', async () => {
  stallFirst((method, url) => method === 'PATCH' && url.includes('/virtualservices/'));
  const { done, ms, stalls } = await terminatedDuringStall(['promote', '--release', 'r2']);
  assert.equal(stalls, 1);
  assert.ok(ms < 2_000, `ended ${Math.round(ms)} ms after SIGTERM: ${done.stderr}`);
  assert.equal(done.code, 1, done.stderr);
  // The stalled PATCH was applied: the last words say so, read from the cluster.
  assert.match(
    done.stderr,
    /error: promote of release r2 stopped \(SIGTERM received\); the lock is released; plain traffic is on green \(release r2\)/,
  );
  // …and the write in flight when it stopped is settled by reading it, not left to the socket.
  assert.match(done.stderr, /patch virtualservices default\/myapp was applied \(read back afterwards\)/);
  assert.match(done.stderr, /fix: run the same command again/);
  proxy.setPlan(() => undefined);
  const lock = await runCli(['lock', 'status', '-o', 'json', '-f', h.configPath], { cwd: h.dir, env });
  assert.equal(JSON.parse(lock.stdout).held, false, lock.stdout);
  const [last] = await readHistory(await h.context());
  assert.equal(last?.operation, 'promote');
  assert.equal(last?.result, 'failed');
  assert.match(last?.detail ?? '', /afterwards plain traffic is on green \(release r2\)/);
  assert.match(
    last?.detail ?? '',
    /patch virtualservices default\/myapp was applied \(read back afterwards\)/,
  );
  // Re-running converges: it only verifies.
  const again = await runCli(['promote', '--release', 'r2', '-o', 'json', '-f', h.configPath], {
    cwd: h.dir,
    env,
  });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).color, 'green');
});

test('SIGTERM ends a status whose read stalls within 2 s', async () => {
  stallFirst((method, url) => method === 'GET' && url.includes('/deployments/'));
  const { done, ms } = await terminatedDuringStall(['status']);
  assert.ok(ms < 2_000, `ended ${Math.round(ms)} ms after SIGTERM: ${done.stderr}`);
  assert.equal(done.code, 1, done.stderr);
  assert.match(done.stderr, /SIGTERM received/);
  proxy.setPlan(() => undefined);
});

test('without a signal, the operation deadline ends a stalled run and says so', async () => {
  stallFirst((method, url) => method === 'GET' && url.includes('/deployments/'));
  const started = performance.now();
  const run = await runCli(['status', '-f', h.configPath], {
    cwd: h.dir,
    env: { ...env, CUTOVER_OPERATION_TIMEOUT_SECONDS: '2' },
  });
  const ms = performance.now() - started;
  proxy.setPlan(() => undefined);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /the operation deadline of 2 s passed \(operationTimeoutSeconds\)/);
  // Start-up of the CLI from source is part of it; the point is: seconds, not the 30 s idle clock.
  assert.ok(ms < 2_000 + 6_000, `ended after ${Math.round(ms)} ms`);
});

test('SIGTERM while the switch never reached the server: it says the write was not applied and traffic stayed on green', async () => {
  await deploy(await h.context(), { image: 'demo/myapp:v3', release: 'r3' });
  await smokeTest(await h.context(), { release: 'r3' });
  const hangs = proxy.stats.byKind.hang;
  let held = false;
  proxy.setPlan((_n, req): FaultKind | undefined => {
    if (held || req.method !== 'PATCH' || !req.url?.includes('/virtualservices/')) return undefined;
    held = true;
    return 'hang';
  });
  const run = spawnCli(['promote', '--release', 'r3', '-f', h.configPath], { cwd: h.dir, env });
  await waitFor('the held request', async () => (proxy.stats.byKind.hang > hangs ? true : undefined), 60_000);
  const sent = performance.now();
  run.child.kill('SIGTERM');
  const done = await run.done;
  const ms = performance.now() - sent;
  proxy.setPlan(() => undefined);
  assert.ok(ms < 2_000, `ended ${Math.round(ms)} ms after SIGTERM: ${done.stderr}`);
  assert.equal(done.code, 1, done.stderr);
  assert.match(
    done.stderr,
    /the lock is released; plain traffic is on green \(release r2\); patch virtualservices default\/myapp was not applied \(read back afterwards\)/,
  );
  const [last] = await readHistory(await h.context());
  assert.deepEqual([last?.operation, last?.result, last?.release], ['promote', 'failed', 'r3']);
  assert.match(
    last?.detail ?? '',
    /was not applied \(read back afterwards\); afterwards plain traffic is on green/,
  );
});
