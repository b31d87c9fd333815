import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
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

const metrics = `
  metrics:
    - name: errors
      webhook: { url: http://127.0.0.1:9/check }
    - name: success-rate
      min: 95
`;

test('router: service refuses a built-in metric: no proxy reports it; the field and the fix are named', () => {
  const e = inputError(`app: myapp\nrouter: service\nanalysis:${metrics}`);
  assert.equal(e.file, FILE);
  assert.equal(e.field, 'analysis.metrics[1].name');
  assert.match(e.message, /"success-rate" is a built-in metric .* router: service .*"no data"/);
  assert.match(e.remedy ?? '', /`query` metric.*`webhook`.*`command`/);
  assert.match(e.remedy ?? '', /analysis\.prometheus\.reporter: destination/);
});

test('router: service accepts built-ins reported by sidecars, and query/webhook/command metrics', () => {
  const c = fromYaml(`app: myapp
router: service
analysis:
  provider: prometheus
  prometheus: { address: http://127.0.0.1:9090, reporter: destination }${metrics}`);
  assert.equal(c.analysis?.metrics[1]?.kind, 'builtin');
  const q = fromYaml(`app: myapp
router: service
analysis:
  provider: prometheus
  prometheus: { address: http://127.0.0.1:9090 }
  metrics:
    - name: ok-rate
      query: sum(rate(http_requests_total{color="{{color}}",code!~"5.."}[{{interval}}]))
      min: 1
`);
  assert.equal(q.analysis?.metrics[0]?.kind, 'query');
});

test("router: gateway-api with the gateway provider needs the gateway's stats address", () => {
  const e = inputError(`app: myapp\nrouter: gateway-api\nanalysis:${metrics}`);
  assert.equal(e.field, 'analysis.metrics[1].name');
  assert.match(e.message, /Gateway's listener, which serves the app/);
  assert.match(e.remedy ?? '', /analysis\.gateway\.address.*15090/);
  const ok = fromYaml(
    `app: myapp\nrouter: gateway-api\nanalysis:\n  gateway: { address: http://127.0.0.1:15090/stats/prometheus }${metrics}`,
  );
  assert.equal(ok.analysis?.gatewayStatsUrl, 'http://127.0.0.1:15090/stats/prometheus');
});

test('router: gateway-api through Prometheus: an Istio Gateway passes, a class that reports no Istio metrics is refused', () => {
  const prom = `  provider: prometheus\n  prometheus: { address: http://127.0.0.1:9090 }`;
  const istio = fromYaml(`app: myapp\nrouter: gateway-api\nanalysis:\n${prom}${metrics}`);
  assert.equal(istio.gateway.className, 'istio');
  const e = inputError(
    `app: myapp\nrouter: gateway-api\ngateway: { className: eg }\nanalysis:\n${prom}${metrics}`,
  );
  assert.equal(e.field, 'analysis.metrics[1].name');
  assert.match(e.message, /Gateway myapp-gateway is of class eg/);
  assert.match(e.remedy ?? '', /gateway\.className: istio/);
  // A Gateway cutover does not create: its class is not known before any request, so it is allowed.
  fromYaml(
    `app: myapp\nrouter: gateway-api\ngateway: { className: eg, create: false }\nanalysis:\n${prom}${metrics}`,
  );
});

test('router: istio keeps the built-ins with the gateway provider', () => {
  assert.equal(fromYaml(`app: myapp\nanalysis:${metrics}`).analysis?.metrics[1]?.kind, 'builtin');
});
