import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { loadConfig } from './load.js';

const FILE = '/repo/cutover.yaml';
const fromYaml = (text: string) => loadConfig(FILE, { env: {}, readFile: () => text });

function inputError(text: string): InputError {
  try {
    fromYaml(text);
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an InputError');
}

test("the issue's example analysis config loads as written", () => {
  const c = fromYaml(`
app: myapp
analysis:
  provider: gateway            # or: prometheus (with prometheus.address)
  metrics:
    - name: success-rate       # percent of non-5xx answers of this app's color
      min: 95
    - name: latency-p99        # milliseconds
      max: 500
  prePromotion: { durationSeconds: 20, intervalSeconds: 5 }
  postPromotion: { durationSeconds: 60, intervalSeconds: 5 }
`);
  assert.deepEqual(c.analysis, {
    provider: 'gateway',
    prometheus: undefined,
    gatewayStatsUrl: undefined,
    metrics: [
      {
        kind: 'builtin',
        name: 'success-rate',
        min: 95,
        max: undefined,
        condition: undefined,
        failureLimit: 0,
      },
      {
        kind: 'builtin',
        name: 'latency-p99',
        min: undefined,
        max: 500,
        condition: undefined,
        failureLimit: 0,
      },
    ],
    consecutiveErrorLimit: DEFAULTS.analysis.consecutiveErrorLimit,
    onInconclusive: 'rollback',
    prePromotion: { durationSeconds: 20, intervalSeconds: 5, load: { ratePerSecond: 20, paths: ['/'] } },
    postPromotion: { durationSeconds: 60, intervalSeconds: 5 },
  });
  assert.equal(fromYaml('app: myapp\n').analysis, undefined);
});

test('prometheus settings, custom queries, webhooks and commands resolve with their defaults', () => {
  const c = fromYaml(`
app: myapp
analysis:
  provider: prometheus
  prometheus: { address: "https://prom.example:9090/", bearerTokenSecret: { name: prom, key: token }, caFile: ca.pem }
  failureLimit: 1
  metrics:
    - { name: errors, query: 'sum(rate(x{app="{{app}}"}[{{interval}}]))', condition: "result < 1" }
    - { name: gate, webhook: { url: "http://loadtester/gate" } }
    - { name: smoke, command: ./smoke.sh, timeoutSeconds: 5, failureLimit: 0 }
`).analysis!;
  assert.deepEqual(c.prometheus, {
    address: 'https://prom.example:9090',
    bearerTokenEnv: undefined,
    bearerTokenSecret: { name: 'prom', key: 'token' },
    caFile: '/repo/ca.pem',
    insecureSkipVerify: false,
    reporter: 'source',
    windowSeconds: 30,
    warmupSeconds: 30,
  });
  assert.equal(c.metrics[0]!.failureLimit, 1);
  assert.deepEqual(c.metrics[1], {
    kind: 'webhook',
    name: 'gate',
    url: 'http://loadtester/gate',
    timeoutMs: 10_000,
    metadata: {},
    failureLimit: 1,
  });
  assert.deepEqual(c.metrics[2], {
    kind: 'command',
    name: 'smoke',
    run: './smoke.sh',
    timeoutMs: 5000,
    failureLimit: 0,
  });
});

test('bad analysis input names the file, the field and the fix', () => {
  const cases: Array<[string, RegExp, string]> = [
    ['metrics: [{ name: error-rate, max: 1 }]', /not a built-in metric/, 'analysis.metrics[0].name'],
    ['metrics: [{ name: success-rate }]', /no pass condition/, 'analysis.metrics[0]'],
    [
      'metrics: [{ name: success-rate, condition: "result >" }]',
      /expected more/,
      'analysis.metrics[0].condition',
    ],
    [
      'metrics: [{ name: q, query: "up", max: 1 }]',
      /needs provider: prometheus/,
      'analysis.metrics[0].query',
    ],
    [
      'provider: prometheus\n  metrics: [{ name: success-rate, min: 1 }]',
      /no address/,
      'analysis.prometheus',
    ],
    [
      'provider: prometheus\n  prometheus: { address: "http://p:9090" }\n  metrics: [{ name: q, query: "x{a=\\"{{target}}\\"}", max: 1 }]',
      /unknown placeholder\(s\) \{\{target\}\}/,
      'analysis.metrics[0].query',
    ],
    [
      'metrics: [{ name: g, webhook: { url: "http://x" }, min: 1 }]',
      /passes by its answer/,
      'analysis.metrics[0]',
    ],
    [
      'metrics: [{ name: g, webhook: { url: "http://x" }, command: "true" }]',
      /exactly one of/,
      'analysis.metrics[0]',
    ],
  ];
  for (const [body, message, field] of cases) {
    const err = inputError(`app: myapp\nanalysis:\n  ${body}\n`);
    assert.match(err.message, message, body);
    assert.equal(err.field, field, body);
    assert.equal(err.file, FILE);
    assert.ok(err.remedy, body);
  }
  assert.match(inputError('app: myapp\nanalysis: { metrics: [], provider: datadog }\n').message, /analysis/);
});
