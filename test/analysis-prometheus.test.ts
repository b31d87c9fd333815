// Metrics analysis on the local cluster with the prometheus provider: `local up --prometheus`
// runs Debian's real Prometheus scraping the gateway every second, and cutover's built-in
// queries (istio_requests_total, istio_request_duration_milliseconds_bucket by reporter,
// destination_workload, destination_workload_namespace) judge the color. One cluster per file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_APP, demoConfig, startHarness, type Harness } from './engine-harness.js';
import { startTraffic, type Traffic } from '../src/demo/traffic.js';
import { release } from '../src/engine/release.js';
import { readHistory } from '../src/engine/history.js';
import { status } from '../src/engine/status.js';
import { OperationFailedError } from '../src/errors.js';

let h: Harness;
let traffic: Traffic;

const analysis = (address: string, extra: Record<string, unknown> = {}) => ({
  provider: 'prometheus',
  prometheus: { address, windowSeconds: 5 },
  metrics: [
    { name: 'success-rate', min: 95 },
    { name: 'latency-p99', max: 500 },
  ],
  prePromotion: { durationSeconds: 0 },
  postPromotion: { durationSeconds: 6, intervalSeconds: 1 },
  ...extra,
});
const config = (a: Record<string, unknown>) =>
  demoConfig(h, {
    smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
    hooks: {},
    analysis: a,
  });

before(async () => {
  h = await startHarness({ propagationDelayMs: 100, prometheus: true });
  h.cluster.images.add('demo/myapp:bad20', {
    dir: DEMO_APP,
    env: { APP_VERSION: 'bad20', FAIL_PERCENT: '20' },
    command: ['node', '--import', 'tsx', 'src/app.ts'],
  });
  h.cluster.images.add('demo/myapp:slow', {
    dir: DEMO_APP,
    env: { APP_VERSION: 'slow', EXTRA_LATENCY_MS: '500' },
    command: ['node', '--import', 'tsx', 'src/app.ts'],
  });
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  traffic = startTraffic({ url: h.cluster.gatewayUrl, path: '/', plainLoops: 2, testLoops: 0, pauseMs: 10 });
});
after(async () => {
  await traffic?.stop();
  await h?.stop();
});

const live = async () => (await status(await h.context())).activeColor;

test('prometheus: a healthy release passes pre-promotion (tester load) and post-promotion analysis', async () => {
  await h.writeConfig(
    config(
      analysis(h.cluster.prometheusUrl!, {
        prePromotion: { durationSeconds: 6, intervalSeconds: 1, load: { ratePerSecond: 30 } },
      }),
    ),
  );
  const r = await release(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  assert.deepEqual(
    r.test!.checks.filter((c) => c.kind === 'analysis').map((c) => [c.name, c.ok]),
    [
      ['analysis success-rate', true],
      ['analysis latency-p99', true],
    ],
  );
  assert.equal(r.promote!.analysis?.verdict, 'passed', JSON.stringify(r.promote!.analysis));
  assert.equal(await live(), 'green');
});

test('prometheus: a release failing 20 % of requests is rolled back automatically, naming success-rate', async () => {
  await h.writeConfig(config(analysis(h.cluster.prometheusUrl!)));
  await assert.rejects(
    release(await h.context(), { image: 'demo/myapp:bad20', release: 'r3' }),
    (err: Error) =>
      err instanceof OperationFailedError &&
      /success-rate failed \(min 95\); values [\d., ]*\b[78]\d\.?\d*: .*Rolled back automatically to green \(release r2\)/.test(
        err.message,
      ),
  );
  assert.equal(await live(), 'green');
  const history = await readHistory(await h.context());
  assert.equal(history[1]?.automatic, true);
});

test('prometheus: a release 500 ms slower is caught by latency-p99', async () => {
  // The same color ran the 20 %-failing release a moment ago, and its 5xx are still in
  // Prometheus' window: the built-in queries judge this release's own series (destination_version),
  // so they do not count against it.
  await h.writeConfig(config(analysis(h.cluster.prometheusUrl!)));
  await assert.rejects(
    release(await h.context(), { image: 'demo/myapp:slow', release: 'r5' }),
    (err: Error) => {
      const values = /latency-p99 failed \(max 500\); values ([\d., ]+):/.exec(err.message)?.[1];
      assert.ok(values, err.message);
      assert.ok(Number(values.split(', ').at(-1)) > 500, err.message);
      return true;
    },
  );
  assert.equal(await live(), 'green');
});

test('prometheus unreachable: inconclusive, never a pass — the release is rolled back (onInconclusive: rollback)', async () => {
  await h.writeConfig(
    config(analysis('http://127.0.0.1:9', { postPromotion: { durationSeconds: 3, intervalSeconds: 1 } })),
  );
  await assert.rejects(release(await h.context(), { image: 'demo/myapp:v2', release: 'r4' }), (err: Error) =>
    /on blue inconclusive .*success-rate inconclusive .*unreachable/.test(err.message),
  );
  assert.equal(await live(), 'green');
});
