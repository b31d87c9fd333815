// Metrics analysis for router: gateway-api on the local cluster, as docs/routers/gateway-api.md
// tells users to set it up: the Gateway's listener serves the app, so the gateway provider reads
// the stats where an Istio Gateway API implementation keeps them (here: the ingress gateway's
// /stats/prometheus, which counts every Gateway's requests, as one Istio does), set as
// analysis.gateway.address. A healthy release passes on data (no data would be inconclusive and
// roll back), and one failing 20 % of requests through the HTTPRoute is rolled back by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_APP, demoConfig, startHarness, type Harness } from './engine-harness.js';
import { startTraffic, type Traffic } from '../src/demo/traffic.js';
import { release } from '../src/engine/release.js';
import { status } from '../src/engine/status.js';
import { OperationFailedError } from '../src/errors.js';

let h: Harness;
let traffic: Traffic | undefined;

const config = (postSeconds: number) =>
  demoConfig(h, {
    router: 'gateway-api',
    smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
    hooks: {},
    analysis: {
      provider: 'gateway',
      gateway: { address: `${h.cluster.gatewayUrl}/stats/prometheus` },
      metrics: [{ name: 'success-rate', min: 95 }],
      prePromotion: { durationSeconds: 0 },
      postPromotion: { durationSeconds: postSeconds, intervalSeconds: 1 },
    },
  });

before(async () => {
  h = await startHarness({ propagationDelayMs: 100 });
  h.cluster.images.add('demo/myapp:bad20', {
    dir: DEMO_APP,
    env: { APP_VERSION: 'bad20', FAIL_PERCENT: '20' },
    command: ['node', '--import', 'tsx', 'src/app.ts'],
  });
  await h.writeConfig(config(0));
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  const ctx = await h.context();
  const url = (await ctx.router.dataPlane(ctx.kube, false)).url!;
  assert.notEqual(url, h.cluster.gatewayUrl, 'users reach the Gateway API Gateway’s own address');
  // Users: plain requests through the Gateway to a path every release serves, all the time.
  traffic = startTraffic({ url, path: '/', plainLoops: 2, testLoops: 0, pauseMs: 10 });
});
after(async () => {
  await traffic?.stop();
  await h?.stop();
});

test('gateway-api: a healthy release passes post-promotion analysis on real data', async () => {
  await h.writeConfig(config(3));
  const r = await release(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  assert.equal(r.promote!.analysis?.verdict, 'passed', JSON.stringify(r.promote!.analysis));
  assert.equal(r.promote!.analysis!.metrics[0]!.values.at(-1), 100);
  assert.equal((await status(await h.context())).activeColor, 'green');
});

test('gateway-api: a release failing 20 % of requests is rolled back automatically, naming success-rate', async () => {
  await assert.rejects(
    release(await h.context(), { image: 'demo/myapp:bad20', release: 'r3' }),
    (err: unknown) =>
      err instanceof OperationFailedError &&
      /post-promotion analysis of release r3 on blue failed .*success-rate failed \(min 95\)/.test(
        err.message,
      ),
  );
  assert.equal((await status(await h.context())).activeColor, 'green');
});
