// runAnalysis against real local HTTP servers: the gateway's stats rendered by the local
// gateway's own exporter, a Prometheus HTTP API answer, webhook gates, a local command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveAnalysis, type RawAnalysis } from '../config/analysis-resolve.js';
import { defaultDeps } from '../engine/default-deps.js';
import { silentLog } from '../engine/deps.js';
import { GatewayMetrics } from '../local/gateway/metrics.js';
import { labelPrefix, UNKNOWN_DESTINATION } from '../local/gateway/metrics-labels.js';
import { queryWindow, runAnalysis } from './run.js';
import type { AnalysisTarget } from './types.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const target = (gatewayUrl: string, phase: AnalysisTarget['phase'] = 'post-promotion'): AnalysisTarget => ({
  app: 'web',
  namespace: 'shop',
  color: 'green',
  release: 'r7',
  workload: 'web-green',
  phase,
  gatewayUrl,
});

const WINDOW = { durationSeconds: 0.6, intervalSeconds: 0.15 } as never;
const deps = () => defaultDeps(silentLog, { PROM_TOKEN: 'sekret-token' });

function config(raw: Partial<RawAnalysis> & Pick<RawAnalysis, 'metrics'>) {
  return resolveAnalysis(raw as RawAnalysis, '/x/cutover.yaml', '/x')!;
}

/** A gateway whose stats show requests to web-green: `fail` of them 5xx, each taking `ms`. */
async function fakeGatewayTraffic(o: { fail: number; ms: number; perTick: number }) {
  const metrics = new GatewayMetrics();
  const green = labelPrefix({
    ...UNKNOWN_DESTINATION,
    destination_workload: 'web-green',
    destination_workload_namespace: 'shop',
    destination_app: 'web',
    destination_subset: 'green',
  });
  const other = labelPrefix({
    ...UNKNOWN_DESTINATION,
    destination_workload: 'web-blue',
    destination_workload_namespace: 'shop',
  });
  let n = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < o.perTick; i++, n++) {
      metrics.record(green, Math.floor((n + 1) * o.fail) > Math.floor(n * o.fail) ? 503 : 200, '-', o.ms);
      metrics.record(other, 500, '-', 3000); // another color's failures never count
    }
  }, 20);
  const s = await serve((req, _b, res) => res.end(req.url === '/stats/prometheus' ? metrics.render() : ''));
  return { url: s.url, close: () => (clearInterval(timer), s.close()) };
}

test('gateway provider: a healthy color passes success-rate and latency-p99 from two scrapes per round', async () => {
  const gw = await fakeGatewayTraffic({ fail: 0, ms: 20, perTick: 5 });
  try {
    const c = config({
      metrics: [
        { name: 'success-rate', min: 95 },
        { name: 'latency-p99', max: 500 },
      ],
    });
    const r = await runAnalysis({ config: c, window: WINDOW, target: target(gw.url), deps: deps() });
    assert.equal(r.verdict, 'passed', JSON.stringify(r.metrics));
    assert.equal(r.metrics[0]!.values.at(-1), 100);
    assert.ok(
      r.metrics[1]!.values.every((v) => v > 10 && v <= 25),
      String(r.metrics[1]!.values),
    );
  } finally {
    await gw.close();
  }
});

test('gateway provider: 20 % 5xx fails success-rate at the first round; 600 ms answers fail latency-p99', async () => {
  const bad = await fakeGatewayTraffic({ fail: 0.2, ms: 20, perTick: 10 });
  const slow = await fakeGatewayTraffic({ fail: 0, ms: 600, perTick: 5 });
  try {
    const c = config({
      metrics: [
        { name: 'success-rate', min: 95 },
        { name: 'latency-p99', max: 500 },
      ],
    });
    const r = await runAnalysis({ config: c, window: WINDOW, target: target(bad.url), deps: deps() });
    assert.equal(r.verdict, 'failed');
    assert.equal(r.decidedBy?.name, 'success-rate');
    assert.equal(r.metrics[0]!.measurements, 1, 'stops at the first failed measurement (failureLimit 0)');
    assert.ok(r.metrics[0]!.values[0]! < 90 && r.metrics[0]!.values[0]! > 70, String(r.metrics[0]!.values));
    const s = await runAnalysis({ config: c, window: WINDOW, target: target(slow.url), deps: deps() });
    assert.equal(s.decidedBy?.name, 'latency-p99');
    assert.ok(s.decidedBy!.values[0]! > 500, String(s.decidedBy!.values));
  } finally {
    await bad.close();
    await slow.close();
  }
});

test('no traffic to the color is inconclusive, never a pass; an unreachable gateway is inconclusive too', async () => {
  const idle = await fakeGatewayTraffic({ fail: 0, ms: 1, perTick: 0 });
  try {
    const c = config({ metrics: [{ name: 'success-rate', min: 95 }] });
    const r = await runAnalysis({ config: c, window: WINDOW, target: target(idle.url), deps: deps() });
    assert.equal(r.verdict, 'inconclusive');
    assert.match(r.metrics[0]!.reason, /no data in 4 of 4/);
  } finally {
    await idle.close();
  }
  const gone = config({ metrics: [{ name: 'success-rate', min: 95 }], consecutiveErrorLimit: 1 });
  const r = await runAnalysis({ config: gone, window: WINDOW, target: target(idle.url), deps: deps() });
  assert.equal(r.verdict, 'error');
  assert.match(r.metrics[0]!.reason, /2 provider errors in a row.*cannot scrape/);
});

test('prometheus provider: the built-in query uses Istio names and labels, sends the token, reads the vector', async () => {
  const seen: Array<{ query: string; auth?: string }> = [];
  let answer = '97';
  const prom = await serve((req, _b, res) => {
    const u = new URL(req.url!, 'http://x');
    seen.push({ query: u.searchParams.get('query')!, auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: answer === 'none' ? [] : [{ metric: {}, value: [1, answer] }] },
      }),
    );
  });
  try {
    const c = config({
      provider: 'prometheus',
      prometheus: { address: prom.url, bearerTokenEnv: 'PROM_TOKEN', windowSeconds: 10, warmupSeconds: 0 },
      metrics: [
        { name: 'success-rate', min: 95 },
        {
          name: 'errors',
          query: 'sum(rate(x{app="{{app}}",c="{{color}}",r="{{release}}"}[{{interval}}]))',
          max: 100,
        },
      ],
    });
    const r = await runAnalysis({ config: c, window: WINDOW, target: target('http://unused'), deps: deps() });
    assert.equal(r.verdict, 'passed', JSON.stringify(r.metrics));
    assert.equal(
      seen[0]!.query,
      'sum(rate(istio_requests_total{reporter="source",destination_workload_namespace="shop",destination_workload="web-green",response_code!~"5.*"}[2s])) / sum(rate(istio_requests_total{reporter="source",destination_workload_namespace="shop",destination_workload="web-green"}[2s])) * 100',
    );
    assert.equal(seen[1]!.query, 'sum(rate(x{app="web",c="green",r="r7"}[2s]))');
    assert.equal(seen[0]!.auth, 'Bearer sekret-token');
    // Pods with a `version` label: only this release's series (Istio's destination_version).
    seen.length = 0;
    await runAnalysis({ config: c, window: WINDOW, target: { ...target(''), version: 'r7' }, deps: deps() });
    assert.match(
      seen[0]!.query,
      /destination_workload="web-green",destination_version="r7",response_code!~"5\.\*"\}\[2s\]\)\) \/ sum\(rate\(istio_requests_total\{[^}]*destination_version="r7"\}/,
    );
    answer = 'NaN';
    const nan = await runAnalysis({ config: c, window: WINDOW, target: target(''), deps: deps() });
    assert.equal(nan.verdict, 'inconclusive');
    answer = '50';
    const low = await runAnalysis({ config: c, window: WINDOW, target: target(''), deps: deps() });
    assert.equal(low.verdict, 'failed');
    assert.equal(low.decidedBy?.name, 'success-rate');
  } finally {
    await prom.close();
  }
});

test('prometheus warm-up: no-data rounds before the first data do not count, within warmupSeconds only', async () => {
  let queries = 0;
  let firstDataAt = 3; // the first 3 queries find no series yet, as right after a new color starts
  const prom = await serve((_req, _b, res) => {
    queries++;
    const result = queries > firstDataAt ? [{ metric: {}, value: [1, '99'] }] : [];
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  });
  const run = (warmupSeconds: number) => {
    queries = 0;
    const c = config({
      provider: 'prometheus',
      prometheus: { address: prom.url, warmupSeconds: warmupSeconds as never },
      metrics: [{ name: 'success-rate', min: 95 }],
    });
    return runAnalysis({ config: c, window: WINDOW, target: target(''), deps: deps() });
  };
  try {
    const warmed = await run(5);
    assert.equal(warmed.verdict, 'passed', JSON.stringify(warmed.metrics));
    assert.equal(warmed.metrics[0]!.measurements, 4, 'the four rounds of the window all had data');
    assert.match(
      warmed.metrics[0]!.reason,
      /4 of 4 measurement\(s\) passed \(after 3 warm-up round\(s\) without data\)/,
    );
    assert.equal(warmed.measurements.filter((m) => /warm-up: not counted/.test(m.detail)).length, 3);

    const cold = await run(0);
    assert.equal(cold.verdict, 'inconclusive', 'without a warm-up, 3 of 4 rounds had no data');
    assert.match(cold.metrics[0]!.reason, /no data in 3 of 4/);

    firstDataAt = Infinity; // never any data: the warm-up ends and the rounds count, inconclusive
    const never = await run(0.45);
    assert.equal(never.verdict, 'inconclusive');
    assert.equal(never.metrics[0]!.measurements, 4);
    assert.ok(
      never.measurements.length > 4 && never.measurements.length <= 4 + 4,
      String(never.measurements.length),
    );
  } finally {
    await prom.close();
  }
});

test('an unreachable Prometheus never passes: inconclusive within the error limit, error beyond it', async () => {
  const closed = await serve(() => undefined);
  await closed.close();
  const c = config({
    provider: 'prometheus',
    prometheus: { address: closed.url },
    metrics: [{ name: 'latency-p99', max: 500 }],
  });
  const r = await runAnalysis({ config: c, window: WINDOW, target: target(''), deps: deps() });
  assert.equal(r.verdict, 'inconclusive');
  assert.match(r.metrics[0]!.reason, /unreachable/);
});

test("webhook gates get Flagger's payload; 500 fails, 2xx passes; a command's exit code decides", async () => {
  const bodies: unknown[] = [];
  let status = 200;
  const hook = await serve((_q, body, res) => {
    bodies.push(JSON.parse(body));
    res.statusCode = status;
    res.end(status === 200 ? 'ok' : 'load test failed');
  });
  try {
    const c = config({
      metrics: [
        { name: 'gate', webhook: { url: `${hook.url}/gate`, metadata: { cmd: 'hey -z 1m' } } },
        { name: 'script', command: 'test "$CUTOVER_COLOR" = green && test "$CUTOVER_PHASE" = pre-promotion' },
      ],
    });
    const ok = await runAnalysis({
      config: c,
      window: WINDOW,
      target: target('', 'pre-promotion'),
      deps: deps(),
    });
    assert.equal(ok.verdict, 'passed', JSON.stringify(ok.metrics));
    const b = bodies[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(b).sort(), ['checksum', 'metadata', 'name', 'namespace', 'phase']);
    assert.equal(b.name, 'web');
    assert.equal(b.phase, 'Progressing');
    assert.equal((b.metadata as Record<string, string>).cmd, 'hey -z 1m');
    status = 500;
    const bad = await runAnalysis({
      config: c,
      window: WINDOW,
      target: target('', 'post-promotion'),
      deps: deps(),
    });
    assert.equal(bad.verdict, 'failed');
    assert.equal(bad.decidedBy?.name, 'gate');
    assert.match(bad.decidedBy!.reason, /HTTP 500: load test failed/);
    assert.equal(
      bad.metrics[1]!.verdict,
      'failed',
      'the command checks CUTOVER_PHASE: post-promotion fails it',
    );
  } finally {
    await hook.close();
  }
});

test('the Prometheus range grows from 2 s to windowSeconds, never reaching back before the analysis', () => {
  assert.equal(queryWindow(30, 100), 2);
  assert.equal(queryWindow(30, 4_200), 5);
  assert.equal(queryWindow(30, 90_000), 30);
});
