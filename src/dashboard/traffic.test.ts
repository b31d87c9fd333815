import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScrape, pointBetween, quantile } from './traffic.js';

const scrape = (
  ok: number,
  errors: number,
  buckets: Array<[string, number]>,
) => `# TYPE istio_requests_total counter
istio_requests_total{reporter="source",destination_workload="web-green",destination_workload_namespace="shop",response_code="200",response_flags="-"} ${ok}
istio_requests_total{reporter="source",destination_workload="web-green",destination_workload_namespace="shop",response_code="503",response_flags="UF"} ${errors}
istio_requests_total{reporter="destination",destination_workload="web-green",destination_workload_namespace="shop",response_code="200",response_flags="-"} 999
${buckets.map(([le, n]) => `istio_request_duration_milliseconds_bucket{reporter="source",destination_workload="web-green",destination_workload_namespace="shop",response_code="200",le="${le}"} ${n}`).join('\n')}
`;

test('sums the gateway-reported series per workload and counts 5xx as errors', () => {
  const s = parseScrape(
    scrape(90, 10, [
      ['5', 50],
      ['10', 90],
      ['+Inf', 100],
    ]),
  );
  const w = s.get('shop/web-green')!;
  assert.equal(w.requests, 100, 'reporter="destination" series are not the gateway\'s');
  assert.equal(w.errors, 10);
  assert.deepEqual(w.buckets, [
    [5, 50],
    [10, 90],
    [Infinity, 100],
  ]);
});

test('rates and the p99 come from the difference of two scrapes, as Prometheus computes them', () => {
  const a = parseScrape(
    scrape(90, 10, [
      ['5', 50],
      ['10', 90],
      ['+Inf', 100],
    ]),
  ).get('shop/web-green')!;
  const b = parseScrape(
    scrape(180, 30, [
      ['5', 60],
      ['10', 100],
      ['+Inf', 210],
    ]),
  ).get('shop/web-green')!;
  const p = pointBetween(a, b, 2000, 1);
  assert.equal(p.rps, 55);
  assert.equal(p.errorRate, 20 / 110);
  // 110 requests: 10 under 5 ms, 10 more under 10 ms, 90 above: the 99th falls in +Inf, which
  // Prometheus reports as the highest finite bound.
  assert.equal(p.p99Ms, 10);
  // Linear interpolation inside a bucket: rank 0.5 * 20 = 10 ends the first bucket exactly.
  assert.equal(
    quantile(
      0.5,
      [
        [5, 0],
        [10, 0],
        [Infinity, 0],
      ],
      [
        [5, 10],
        [10, 20],
        [Infinity, 20],
      ],
    ),
    5,
  );
});

test('no requests in the interval is no error rate and no latency, not zero', () => {
  const a = parseScrape(scrape(5, 0, [['+Inf', 5]])).get('shop/web-green')!;
  const p = pointBetween(a, a, 1000, 1);
  assert.deepEqual([p.rps, p.errorRate, p.p99Ms], [0, null, null]);
});
