// Metrics analysis on the local cluster with the gateway provider (the ingress gateway's own
// /stats/prometheus, two scrapes per interval): pre-promotion under cutover's own tester load,
// post-promotion under live plain traffic, automatic rollback, webhook gates, no data, a kill
// during the watch. One cluster for the whole file; windows of a few one-second intervals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEMO_APP,
  demoConfig,
  runCli,
  spawnCli,
  startHarness,
  waitReady,
  type Harness,
} from './engine-harness.js';
import { startTraffic, type Traffic, type TrafficSample } from '../src/demo/traffic.js';
import { release } from '../src/engine/release.js';
import { deploy } from '../src/engine/deploy.js';
import { test as testRelease } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';
import { decommission } from '../src/engine/decommission.js';
import { readHistory } from '../src/engine/history.js';
import { status } from '../src/engine/status.js';
import { GuardError, OperationFailedError } from '../src/errors.js';

let h: Harness;
let traffic: Traffic;
let gate: Server;
let gateStatus = 200;
const failedPlain = (samples: TrafficSample[]) =>
  samples.filter((s) => s.kind === 'plain' && (s.status === 0 || s.status >= 500));

const ANALYSIS = {
  provider: 'gateway',
  metrics: [
    { name: 'success-rate', min: 95 },
    { name: 'latency-p99', max: 500 },
  ],
  prePromotion: { durationSeconds: 3, intervalSeconds: 1, load: { ratePerSecond: 30, paths: ['/'] } },
  postPromotion: { durationSeconds: 3, intervalSeconds: 1 },
};
const config = (analysis: Record<string, unknown>) =>
  demoConfig(h, {
    smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
    hooks: {},
    analysis,
  });

function addImage(tag: string, env: Record<string, string>) {
  h.cluster.images.add(`demo/myapp:${tag}`, {
    dir: DEMO_APP,
    env: { APP_VERSION: tag, ...env },
    command: ['node', '--import', 'tsx', 'src/app.ts'],
  });
}

async function live() {
  return (await status(await h.context())).activeColor;
}

before(async () => {
  h = await startHarness({ propagationDelayMs: 100 });
  addImage('bad20', { FAIL_PERCENT: '20' });
  addImage('slow', { EXTRA_LATENCY_MS: '500' });
  gate = createServer((_q, res) => ((res.statusCode = gateStatus), res.end('gate says so')));
  await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
  await h.writeConfig(
    config({ ...ANALYSIS, prePromotion: { durationSeconds: 0 }, postPromotion: { durationSeconds: 0 } }),
  );
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  // Users: plain requests to a path every release serves (the demo app's 404), all the time.
  traffic = startTraffic({ url: h.cluster.gatewayUrl, path: '/', plainLoops: 2, testLoops: 0, pauseMs: 10 });
});
after(async () => {
  await traffic?.stop();
  gate?.close();
  await h?.stop();
});

test('a healthy release passes pre-promotion (tester load) and post-promotion analysis', async () => {
  await h.writeConfig(config(ANALYSIS));
  const r = await release(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  const pre = r.test!.checks.filter((c) => c.kind === 'analysis');
  assert.deepEqual(
    pre.map((c) => [c.name, c.ok]),
    [
      ['analysis success-rate', true],
      ['analysis latency-p99', true],
    ],
    JSON.stringify(pre),
  );
  assert.equal(r.promote!.analysis?.verdict, 'passed', JSON.stringify(r.promote!.analysis));
  assert.equal(r.promote!.analysis!.metrics[0]!.values.at(-1), 100);
  assert.equal(await live(), 'green');
  assert.ok(h.logs.some((l) => /pre-promotion analysis: sent \d+ tester requests/.test(l)));
});

test('a release failing 20 % of requests is rolled back automatically: exit 1 names success-rate', async () => {
  await h.writeConfig(config({ ...ANALYSIS, prePromotion: { durationSeconds: 0 } }));
  const before = traffic.samples.length;
  const run = await runCli(
    ['release', '--image', 'demo/myapp:bad20', '--release', 'r3', '-f', h.configPath],
    {
      cwd: h.dir,
      env: h.env,
    },
  );
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /post-promotion analysis of release r3 on blue failed .*success-rate failed \(min 95\); values [\d., ]*\b[78]\d\.?\d*: /,
  );
  assert.match(run.stderr, /Rolled back automatically to green \(release r2\)/);
  assert.equal(await live(), 'green');
  const [last, automatic] = await readHistory(await h.context());
  assert.equal(last!.operation, 'release');
  assert.equal(last!.result, 'failed');
  assert.deepEqual(
    [automatic!.operation, automatic!.automatic, automatic!.color, automatic!.from],
    ['rollback', true, 'green', 'blue'],
  );
  assert.match(automatic!.detail!, /automatic rollback: .*success-rate/);
  // Only the bad release's own answers failed, in the detection window; none after the rollback.
  const after = traffic.samples.slice(before);
  const failed = failedPlain(after);
  assert.ok(failed.length > 0, 'the bad release did fail some users');
  assert.ok(
    failed.every((s) => s.version === 'bad20'),
    JSON.stringify(failed.slice(0, 3)),
  );
});

test('a release 500 ms slower is caught by latency-p99', async () => {
  await h.writeConfig(config({ ...ANALYSIS, prePromotion: { durationSeconds: 0 } }));
  const ctx = await h.context();
  await assert.rejects(
    release(ctx, { image: 'demo/myapp:slow', release: 'r4' }),
    (err: Error) =>
      err instanceof OperationFailedError &&
      /latency-p99 failed \(max 500\); values \d{3,}/.test(err.message),
  );
  assert.equal(await live(), 'green');
});

test('pre-promotion: the bad release fails `cutover test` under tester load, and a webhook gate answering 500 fails it', async () => {
  const url = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/gate`;
  await h.writeConfig(
    config({ ...ANALYSIS, metrics: [...ANALYSIS.metrics, { name: 'load-test', webhook: { url } }] }),
  );
  await deploy(await h.context(), { image: 'demo/myapp:bad20', release: 'r5' });
  await waitReady(h, 'blue');
  await assert.rejects(
    testRelease(await h.context(), { release: 'r5' }),
    /analysis success-rate: success-rate failed/,
  );
  await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r6' });
  await waitReady(h, 'blue');
  gateStatus = 500;
  await assert.rejects(
    testRelease(await h.context(), { release: 'r6' }),
    /analysis load-test: load-test failed \(webhook answers 2xx\).*HTTP 500: gate says so/,
  );
  await assert.rejects(promote(await h.context(), { release: 'r6' }), GuardError);
  gateStatus = 200;
});

test('no data is inconclusive, never a pass; with onInconclusive: keep the release stays and decommission refuses', async () => {
  await h.writeConfig(
    config({
      ...ANALYSIS,
      metrics: [{ name: 'success-rate', min: 95 }],
      prePromotion: { durationSeconds: 0 },
      onInconclusive: 'keep',
    }),
  );
  await traffic.stop(); // no users: no data for the new color
  try {
    await testRelease(await h.context(), { release: 'r6' });
    await assert.rejects(
      promote(await h.context(), { release: 'r6' }),
      /was inconclusive: success-rate inconclusive .*no data/,
    );
    assert.equal(await live(), 'blue', 'kept live: inconclusive is not a failure, and not a pass either');
    await assert.rejects(
      decommission(await h.context(), { force: true }),
      (err: Error) => err instanceof GuardError && /analysis of release r6 is inconclusive/.test(err.message),
    );
  } finally {
    traffic = startTraffic({
      url: h.cluster.gatewayUrl,
      path: '/',
      plainLoops: 2,
      testLoops: 0,
      pauseMs: 10,
    });
  }
});

test('killed during post-promotion analysis: traffic stays whole, decommission refuses, a re-run converges', async () => {
  await h.writeConfig(
    config({
      ...ANALYSIS,
      prePromotion: { durationSeconds: 0 },
      postPromotion: { durationSeconds: 4, intervalSeconds: 1 },
    }),
  );
  await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r7' });
  await waitReady(h, 'green');
  await testRelease(await h.context(), { release: 'r7' });
  const before = traffic.samples.length;
  const run = spawnCli(['promote', '--release', 'r7', '-f', h.configPath], { cwd: h.dir, env: h.env });
  run.child.stderr!.on('data', () => {
    if (/post-promotion analysis: success-rate passed/.test(run.stderrSoFar())) run.child.kill('SIGKILL');
  });
  const killed = await run.done;
  assert.equal(killed.code, 137, killed.stderr);
  assert.equal(await live(), 'green', 'the switch is one write: all of it happened');
  const freed = await runCli(['lock', 'release', '--force', '-f', h.configPath], { cwd: h.dir, env: h.env });
  assert.equal(freed.code, 0, freed.stderr);
  await assert.rejects(
    decommission(await h.context(), { force: true }),
    /analysis of release r7 is unfinished/,
  );
  const again = await promote(await h.context(), { release: 'r7' });
  assert.equal(again.analysis?.verdict, 'passed');
  assert.equal(await live(), 'green');
  assert.deepEqual(failedPlain(traffic.samples.slice(before)), [], 'no plain request failed');
});
