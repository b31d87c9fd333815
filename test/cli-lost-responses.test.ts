// A lost response to each kind of write a release makes. The built CLI (bin/cutover.js) reaches the
// local cluster through the fault proxy, which forwards one chosen write — so the API server
// applies it — and then drops the connection before the answer arrives (`reset`), or after half of
// it (`truncate`, which Node reports as `aborted`). Every run must end truthfully: exit 0 with the
// write confirmed by reading it back, and a history that says what the cluster shows (one `done`
// entry for the release, never a failure for a write that happened). Then CI retries the same
// command: it finds the release live and touches nothing, and `cutover rollback` still returns
// users to the release before it.
//
// One local cluster for the whole file: the Istio app `myapp` (r1 on blue, r2 live on green, each
// case releases a new id into blue and rolls back to r2), fresh apps for the writes only a first
// release makes (POSTs of the Lease, Services, Gateway, DestinationRule, VirtualService, history),
// one `router: gateway-api` app for the HTTPRoute writes and one `router: service` app for the
// Service selector switch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { demoConfig, REPO_ROOT, startHarness, waitFor, type CliRun, type Harness } from './engine-harness.js';
import { startFaultProxy, type FaultKind, type FaultProxy } from './helpers/fault-proxy.js';
import { loadConfig } from '../src/config/index.js';
import { createContext } from '../src/engine/context.js';
import { defaultDeps } from '../src/engine/default-deps.js';
import { release } from '../src/engine/release.js';
import { status, type StatusResult } from '../src/engine/status.js';

const BUILT_CLI = join(REPO_ROOT, 'bin', 'cutover.js');

let h: Harness;
let proxy: FaultProxy;
let env: Record<string, string>;

/** A write whose answer is lost (once): the `nth` request of `method` on a path matching `path`. */
interface LostWrite {
  method: string;
  path: RegExp;
  nth?: number;
  fault?: FaultKind;
  /** Then reset this many GETs of the same object: its read-back fails too, for a while. */
  thenReads?: number;
}

/** The writes of the current run still to lose an answer; every other request is forwarded. */
let armed: Array<LostWrite & { seen: number }> = [];
const injected: string[] = [];
/** Objects whose next GETs are reset, and how many. */
let failingReads: Array<{ of: (path: string) => boolean; left: number }> = [];
const readResets = new WeakSet<object>();

const pathOf = (req: { url?: string }) => (req.url ?? '').split('?')[0]!;
const armedFor = (req: { method?: string; url?: string }) =>
  armed.find((t) => t.method === req.method && t.path.test(pathOf(req)));

before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await h.writeConfig(appConfig('myapp'));
  // r1 went live on blue, then r2 on green: green serves users, blue holds the way back.
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await release(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  proxy = await startFaultProxy({
    target: h.cluster.apiUrl,
    // From the nth matching write on, until one is applied: a write the server refused (a 409
    // from a stale resourceVersion) has nothing to confirm, so its answer passes and the next
    // matching write (the re-planned one) loses its answer instead.
    plan: (_n, req) => {
      const reads = req.method === 'GET' && failingReads.find((r) => r.left > 0 && r.of(pathOf(req)));
      if (reads) {
        reads.left--;
        readResets.add(req);
        return 'reset';
      }
      const t = armedFor(req);
      return t && ++t.seen >= (t.nth ?? 1) ? (t.fault ?? 'reset') : undefined;
    },
    dropAnswer: (req, status) => {
      if (readResets.has(req)) return true;
      const t = armedFor(req);
      if (!t || status >= 300) return false;
      injected.push(`${t.fault ?? 'reset'} ${req.method} ${pathOf(req)} (${status})`);
      armed = armed.filter((a) => a !== t);
      // The object's reads: a create's URL names the collection, its read-back an object in it.
      const path = pathOf(req);
      const of = req.method === 'POST' ? (p: string) => p.startsWith(`${path}/`) : (p: string) => p === path;
      if (t.thenReads) failingReads.push({ of, left: t.thenReads });
      return true;
    },
  });
  const kubeconfig = join(h.dir, 'via-fault-proxy.kubeconfig');
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'p', cluster: { server: proxy.url } }],
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

function appConfig(app: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return demoConfig(h, {
    app,
    // Each app of the shared gateway gets its own host (the Service router has no gateway).
    ...(app === 'myapp' || extra.router === 'service' ? {} : { gateway: { hosts: [`${app}.example`] } }),
    drainSeconds: 0,
    smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
    hooks: {},
    // Renewals every 10 s: the release's Lease writes are its first (take) and last (give back).
    leaseDurationSeconds: 60,
    ...extra,
  });
}

async function writeAppConfig(app: string, extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(h.dir, `${app}.cutover.yaml`);
  await writeFile(path, stringify(appConfig(app, extra)));
  return path;
}

/** The built CLI, through the fault proxy. */
function cutover(args: string[], configPath = h.configPath): Promise<CliRun> {
  return startCutover(args, configPath).done;
}

function startCutover(args: string[], configPath = h.configPath) {
  const child = spawn(process.execPath, [BUILT_CLI, ...args, '-f', configPath], {
    cwd: h.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 137 : 1), stdout, stderr }));
  });
  return { child, done };
}

/** What the cluster says about an app, read directly (not through the proxy). */
async function clusterSays(configPath = h.configPath): Promise<StatusResult> {
  const config = loadConfig(configPath, { env: h.env });
  const quiet = { step: () => {}, info: () => {}, warn: () => {} };
  return status(await createContext({ config, kube: h.kube, deps: defaultDeps(quiet, h.env) }));
}

/** Runs `cutover ARGS` losing the answer to each of `lost` (once each). */
async function withLostAnswers(lost: LostWrite[], args: string[], configPath?: string): Promise<CliRun> {
  const before = injected.length;
  armed = lost.map((l) => ({ ...l, seen: 0 }));
  try {
    const run = await cutover(args, configPath);
    assert.deepEqual(
      armed.map((a) => `${a.method} ${a.path}`),
      [],
      `every chosen write lost its answer; lost: ${injected.slice(before).join(', ')}\n${run.stderr}`,
    );
    return run;
  } finally {
    armed = [];
    failingReads = [];
  }
}

/**
 * The run ended truthfully: exit 0 after confirming the lost write by reading it, the release is
 * live on `color`, the lock is free, and the history's newest entry says the operation is done —
 * and no entry calls this release's operation failed.
 */
async function endedTruthfully(
  run: CliRun,
  expect: { operation: string; release: string; color: 'blue' | 'green' },
  configPath?: string,
  readBackInCall = true,
): Promise<void> {
  assert.equal(run.code, 0, `exit 0 expected:\n${run.stderr}`);
  if (readBackInCall) {
    assert.match(run.stderr, /the earlier attempt took effect \(read back\); not sending it again/);
  }
  assert.doesNotMatch(run.stderr, /error:|recording it in the history failed/);
  const now = await clusterSays(configPath);
  assert.equal(now.activeColor, expect.color, 'plain traffic on the released color');
  assert.equal(now.colors[expect.color].release, expect.release);
  assert.equal(now.lock.held, false, `lock free: ${JSON.stringify(now.lock)}`);
  const [last] = now.history;
  assert.deepEqual(
    [last?.operation, last?.result, last?.release, last?.color],
    [expect.operation, 'done', expect.release, expect.color],
    `history: ${JSON.stringify(now.history.slice(0, 3))}`,
  );
  const ofRelease = now.history.filter((e) => e.release === expect.release);
  assert.deepEqual(
    ofRelease.filter((e) => e.result === 'failed'),
    [],
    'no failure recorded for a write that happened',
  );
}

/** What a plain user gets from the gateway now: the serving color and the app's version. */
async function served(): Promise<string> {
  const res = await fetch(`${h.cluster.gatewayUrl}/ready`);
  await res.arrayBuffer();
  return `${res.headers.get('x-cutover-color')} ${res.headers.get('x-app-version')}`;
}

/**
 * CI retries the same command: already live, nothing written; then rollback returns users to r2
 * (with `lostOnRollback`, the rollback's own writes lose their answers too, and it still does).
 */
async function retryThenRollBackToR2(args: string[], lostOnRollback: LostWrite[] = []): Promise<void> {
  const green = (await clusterSays()).colors.green;
  const again = await cutover(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /is already live on blue, verified; neither color was touched/);
  assert.deepEqual((await clusterSays()).colors.green, green, 'green (r2, the way back) untouched');
  const rollback = ['rollback', '-o', 'json'];
  const rb = lostOnRollback.length
    ? await withLostAnswers(lostOnRollback, rollback)
    : await cutover(rollback);
  assert.equal(rb.code, 0, `rollback: ${rb.stderr}`);
  const r = JSON.parse(rb.stdout) as { color: string; release: string };
  assert.deepEqual([r.color, r.release], ['green', 'r2']);
  await waitFor('users served by green v2', async () => ((await served()) === 'green v2' ? true : undefined));
  const [last] = (await clusterSays()).history;
  assert.deepEqual([last?.operation, last?.result, last?.color], ['rollback', 'done', 'green']);
}

const DEPLOYMENTS = /\/deployments$/;
const DEPLOYMENT = /\/deployments\/myapp-blue$/;
const ROUTE = /\/virtualservices\/myapp$/;
const LEASE = /\/leases\/myapp-cutover-lock$/;

// Each write of `cutover release` into an existing blue (r1 → rN there, then the switch to blue).
const RELEASE_WRITES: Array<LostWrite & { what: string }> = [
  { what: 'the Lease PUT that takes the lock', method: 'PUT', path: LEASE },
  { what: 'the Deployment PUT (deploy)', method: 'PUT', path: DEPLOYMENT },
  { what: 'the VirtualService PATCH of the test route', method: 'PATCH', path: ROUTE },
  // The API server's own 504 (its request timeout fired while storage committed the write).
  {
    what: 'the Deployment PATCH recording the verdict',
    method: 'PATCH',
    path: DEPLOYMENT,
    fault: 'lost-504',
  },
  // Cut mid-body: the way the issue saw it end ("error: aborted", exit 1, "promote failed").
  { what: "the promote's VirtualService PATCH", method: 'PATCH', path: ROUTE, nth: 2, fault: 'truncate' },
  { what: 'the history ConfigMap PUT', method: 'PUT', path: /\/configmaps\/myapp-cutover-history$/ },
  { what: 'the Lease PUT that gives the lock back', method: 'PUT', path: LEASE, nth: 2 },
];

let nextId = 3;

for (const write of RELEASE_WRITES) {
  test(`release: a lost answer to ${write.what} ends exit 0, confirmed; the retry and rollback hold`, async () => {
    const id = `r${nextId++}`;
    const args = ['release', '--image', 'demo/myapp:v3', '--release', id];
    const run = await withLostAnswers([write], args);
    await endedTruthfully(run, { operation: 'release', release: id, color: 'blue' });
    await retryThenRollBackToR2(args);
  });
}

test('promote: a lost answer to its VirtualService PATCH is a promote that happened, recorded as done', async () => {
  const id = `r${nextId++}`;
  for (const step of [
    ['deploy', '--image', 'demo/myapp:v3', '--release', id],
    ['test', '--release', id],
  ]) {
    const run = await cutover(step);
    assert.equal(run.code, 0, run.stderr);
  }
  const run = await withLostAnswers([{ method: 'PATCH', path: ROUTE }], ['promote', '--release', id]);
  await endedTruthfully(run, { operation: 'promote', release: id, color: 'blue' });
  assert.doesNotMatch(run.stderr, /promote failed/);
  await retryThenRollBackToR2(
    ['release', '--image', 'demo/myapp:v3', '--release', id],
    [{ method: 'PATCH', path: ROUTE, fault: 'truncate' }],
  );
});

// Lost answers whose read-back fails too: the API server applied the write, then dropped out for
// a while. Still confirmed by reading (the client's read-back, or the engine's one more read once
// the client gave up), so exit 0 and a history that agrees.
test("release: the promote PATCH lost and its read-back failing for all of the client's tries is confirmed by one more read", async () => {
  const id = `r${nextId++}`;
  const args = ['release', '--image', 'demo/myapp:v3', '--release', id];
  const run = await withLostAnswers([{ method: 'PATCH', path: ROUTE, nth: 2, thenReads: 8 }], args);
  assert.match(
    run.stderr,
    /patch virtualservices default\/myapp: the write took effect \(read back after the API server answered again\)/,
  );
  await endedTruthfully(run, { operation: 'release', release: id, color: 'blue' }, undefined, false);
  await retryThenRollBackToR2(args);
});

test('release: the history PUT lost and two reads of it failing: recorded, and no warning that it was not', async () => {
  const id = `r${nextId++}`;
  const args = ['release', '--image', 'demo/myapp:v3', '--release', id];
  const run = await withLostAnswers(
    [{ method: 'PUT', path: /\/configmaps\/myapp-cutover-history$/, thenReads: 2 }],
    args,
  );
  await endedTruthfully(run, { operation: 'release', release: id, color: 'blue' });
  await retryThenRollBackToR2(args);
});

/**
 * Runs `cutover ARGS`, lets the server apply `write` and holds its answer (`stall`), and SIGKILLs
 * the run right then: CI killing a job mid-write. The killed run's lock is freed by an operator.
 */
async function killedWhileUnanswered(write: LostWrite, args: string[]): Promise<void> {
  const stalls = proxy.stats.byKind.stall;
  armed = [{ ...write, fault: 'stall', seen: 0 }];
  try {
    const run = startCutover(args);
    const ended = run.done.then((r) => assert.fail(`ended before the write was held:\n${r.stderr}`));
    await Promise.race([
      waitFor('the held answer', async () => (proxy.stats.byKind.stall > stalls ? true : undefined), 120_000),
      ended,
    ]);
    run.child.kill('SIGKILL');
    ended.catch(() => {});
    await run.done;
  } finally {
    armed = [];
  }
  const freed = await cutover(['lock', 'release', '--force']);
  assert.equal(freed.code, 0, freed.stderr);
}

// SIGKILL while a write is applied and its answer has not arrived: the retry converges on what the
// cluster shows, the history ends up saying the release is live, and rollback still reaches r2.
for (const write of [
  { what: 'the Deployment PUT', method: 'PUT', path: DEPLOYMENT },
  { what: 'the switch (VirtualService PATCH)', method: 'PATCH', path: ROUTE, nth: 2 },
  { what: 'the history PUT', method: 'PUT', path: /\/configmaps\/myapp-cutover-history$/ },
]) {
  test(`release killed while ${write.what} is applied but unanswered: the retry converges, rollback returns to r2`, async () => {
    const id = `r${nextId++}`;
    const args = ['release', '--image', 'demo/myapp:v3', '--release', id];
    await killedWhileUnanswered(write, args);
    const way = ({ release, image, tested }: StatusResult['colors']['green']) => ({ release, image, tested });
    const green = way((await clusterSays()).colors.green);
    const again = await cutover(args);
    assert.equal(again.code, 0, again.stderr);
    const now = await clusterSays();
    assert.deepEqual([now.activeColor, now.colors.blue.release], ['blue', id]);
    assert.deepEqual(way(now.colors.green), green, 'green (r2, the way back) untouched');
    const [last] = now.history;
    assert.deepEqual(
      [last?.operation, last?.result, last?.release, last?.color],
      ['release', 'done', id, 'blue'],
      `history: ${JSON.stringify(now.history.slice(0, 3))}`,
    );
    await retryThenRollBackToR2(args);
  });
}

test('decommission, then release: lost answers to the subset removal, the Deployment DELETE, the Deployment POST and the subset PATCH', async () => {
  const gone = await withLostAnswers(
    [
      { method: 'PATCH', path: /\/destinationrules\/myapp$/, fault: 'lost-504' },
      { method: 'DELETE', path: DEPLOYMENT, fault: 'truncate' },
    ],
    ['decommission', '--color', 'blue'],
  );
  assert.equal(gone.code, 0, gone.stderr);
  assert.equal(gone.stderr.match(/the earlier attempt took effect \(read back\)/g)?.length, 2, gone.stderr);
  const after = await clusterSays();
  assert.equal(after.colors.blue.deployment, null, 'blue deleted');
  assert.equal(after.colors.blue.hasSubset, false, 'subset blue removed');
  assert.equal(after.lock.held, false);
  const [last] = after.history;
  assert.deepEqual([last?.operation, last?.result, last?.color], ['decommission', 'done', 'blue']);
  const id = `r${nextId++}`;
  const args = ['release', '--image', 'demo/myapp:v3', '--release', id];
  const run = await withLostAnswers(
    [
      { method: 'POST', path: DEPLOYMENTS, fault: 'truncate' },
      { method: 'PATCH', path: /\/destinationrules\/myapp$/ },
    ],
    args,
  );
  await endedTruthfully(run, { operation: 'release', release: id, color: 'blue' });
  await retryThenRollBackToR2(args);
});

test('first release: a lost answer to every POST (Lease, Service, Deployment, Gateway, DestinationRule, VirtualService, history)', async () => {
  const configPath = await writeAppConfig('fresh');
  const args = ['release', '--image', 'demo/myapp:v1', '--release', 'r1'];
  const run = await withLostAnswers(
    [
      { method: 'POST', path: /\/leases$/ },
      { method: 'POST', path: /\/services$/ },
      { method: 'POST', path: DEPLOYMENTS },
      { method: 'POST', path: /\/gateways$/, fault: 'truncate' },
      { method: 'POST', path: /\/destinationrules$/ },
      { method: 'POST', path: /\/virtualservices$/ },
      { method: 'POST', path: /\/configmaps$/, fault: 'truncate' },
    ],
    args,
    configPath,
  );
  await endedTruthfully(run, { operation: 'release', release: 'r1', color: 'blue' }, configPath);
  const again = await cutover(args, configPath);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /release r1 is already live on blue, verified; neither color was touched/);
});

test('first release: the Lease POST lost and two reads of it failing still takes the lock, and gives it back', async () => {
  const configPath = await writeAppConfig('fresh-lease');
  const args = ['release', '--image', 'demo/myapp:v1', '--release', 'r1'];
  const run = await withLostAnswers([{ method: 'POST', path: /\/leases$/, thenReads: 2 }], args, configPath);
  await endedTruthfully(run, { operation: 'release', release: 'r1', color: 'blue' }, configPath);
});

test("first release: the Lease POST lost and its read-back failing past the settling client's tries: the next round finds the Lease ours", async () => {
  const configPath = await writeAppConfig('fresh-lease-late');
  const args = ['release', '--image', 'demo/myapp:v1', '--release', 'r1'];
  const run = await withLostAnswers([{ method: 'POST', path: /\/leases$/, thenReads: 4 }], args, configPath);
  assert.match(run.stderr, /create leases default\/fresh-lease-late-cutover-lock: the answer was lost/);
  await endedTruthfully(run, { operation: 'release', release: 'r1', color: 'blue' }, configPath, false);
});

test('gateway-api: lost answers to the HTTPRoute POST and to the switch HTTPRoute PATCH; rollback returns to r1', async () => {
  const configPath = await writeAppConfig('gwapp', { router: 'gateway-api' });
  const first = ['release', '--image', 'demo/myapp:v1', '--release', 'r1'];
  const created = await withLostAnswers(
    [
      { method: 'POST', path: /\/httproutes$/ },
      { method: 'POST', path: /\/services$/, nth: 2 },
    ],
    first,
    configPath,
  );
  await endedTruthfully(created, { operation: 'release', release: 'r1', color: 'blue' }, configPath);
  // The second release writes the route twice: testers to green, then everyone to green.
  const second = ['release', '--image', 'demo/myapp:v2', '--release', 'r2'];
  const switched = await withLostAnswers(
    [{ method: 'PATCH', path: /\/httproutes\/gwapp$/, nth: 2, fault: 'truncate' }],
    second,
    configPath,
  );
  await endedTruthfully(switched, { operation: 'release', release: 'r2', color: 'green' }, configPath);
  const again = await cutover(second, configPath);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /release r2 is already live on green, verified; neither color was touched/);
  const rb = await cutover(['rollback', '-o', 'json'], configPath);
  assert.equal(rb.code, 0, rb.stderr);
  const r = JSON.parse(rb.stdout) as { color: string; release: string };
  assert.deepEqual([r.color, r.release], ['blue', 'r1']);
});

test('service router: lost answers to the Service POSTs and to the selector switch; rollback returns to r1', async () => {
  const configPath = await writeAppConfig('svcapp', { router: 'service' });
  const first = ['release', '--image', 'demo/myapp:v1', '--release', 'r1'];
  // The preview Service (testers), then the app's Service (users) at the first promote.
  const created = await withLostAnswers(
    [
      { method: 'POST', path: /\/services$/, fault: 'truncate' },
      { method: 'POST', path: /\/services$/ },
    ],
    first,
    configPath,
  );
  await endedTruthfully(created, { operation: 'release', release: 'r1', color: 'blue' }, configPath);
  const second = ['release', '--image', 'demo/myapp:v2', '--release', 'r2'];
  const switched = await withLostAnswers(
    [
      { method: 'PATCH', path: /\/services\/svcapp-preview$/ },
      { method: 'PATCH', path: /\/services\/svcapp$/, fault: 'lost-504' },
    ],
    second,
    configPath,
  );
  await endedTruthfully(switched, { operation: 'release', release: 'r2', color: 'green' }, configPath);
  const again = await cutover(second, configPath);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /release r2 is already live on green, verified; neither color was touched/);
  const rb = await cutover(['rollback', '-o', 'json'], configPath);
  assert.equal(rb.code, 0, rb.stderr);
  const r = JSON.parse(rb.stdout) as { color: string; release: string };
  assert.deepEqual([r.color, r.release], ['blue', 'r1']);
});
