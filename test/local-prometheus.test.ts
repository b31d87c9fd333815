// `local up --prometheus`: a real Prometheus (Debian's package) scrapes the local gateway's
// /stats/prometheus, so Istio's metric and label names can be queried as on a real cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster } from '../src/local/cluster.js';
import { waitFor } from './engine-harness.js';

test('local cluster with prometheus: the gateway is scraped and istio_requests_total is queryable', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-prom-'));
  const cluster = await startLocalCluster({
    stateDir: dir,
    apiPort: 0,
    gatewayPort: 0,
    database: false,
    prometheus: { port: 0 },
  });
  try {
    assert.match(cluster.prometheusUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const info = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { prometheusUrl?: string };
    assert.equal(info.prometheusUrl, cluster.prometheusUrl, 'local status reads it from cluster.json');
    // No route yet: the gateway answers 404 and counts it, as Envoy does (destination unknown).
    assert.equal((await fetch(`${cluster.gatewayUrl}/nowhere`)).status, 404);
    const query =
      'sum(istio_requests_total{reporter="source",response_code="404",source_workload="istio-ingressgateway"})';
    const value = await waitFor(
      'Prometheus to have scraped the 404',
      async () => {
        const res = await fetch(`${cluster.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
        const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
        return body.data.result[0]?.value[1];
      },
      30_000,
    );
    assert.ok(Number(value) >= 1, value);
    const targets = (await (await fetch(`${cluster.prometheusUrl}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ scrapeUrl: string; health: string }> };
    };
    assert.equal(targets.data.activeTargets[0]?.scrapeUrl, `${cluster.gatewayUrl}/stats/prometheus`);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
