import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { DEFAULT_COOKIE_REGEX, DEFAULTS } from './defaults.js';
import { loadConfig, validateConfig } from './load.js';
import { renderSchema, renderValidator } from './write-schema.js';

const FILE = '/repo/cutover.yaml';
const fromYaml = (text: string, env: Record<string, string> = {}) =>
  loadConfig(FILE, { env, readFile: () => text });

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an InputError');
}

test('a minimal file gets every default from the one defaults module', () => {
  const c = fromYaml('app: myapp\n');
  assert.equal(c.file, FILE);
  assert.equal(c.container, 'myapp');
  assert.equal(c.port, DEFAULTS.port);
  assert.equal(c.drainSeconds, 30);
  assert.equal(c.lockTimeoutSeconds, DEFAULTS.lockTimeoutSeconds);
  assert.equal(c.router, 'istio');
  assert.deepEqual(c.gateway, {
    name: 'myapp-gateway',
    className: 'istio',
    hosts: ['*'],
    port: 80,
    selector: { istio: 'ingressgateway' },
    create: true,
  });
  assert.deepEqual(c.testMatch, { type: 'cookie', name: 'test', value: 'true', regex: DEFAULT_COOKIE_REGEX });
  assert.equal(c.manifests, undefined);
});

test('a full file resolves checks, hooks, secrets and a manifests folder relative to the file', () => {
  const c = fromYaml(`
app: myapp
namespace: shop
image: docker.io/me/myapp
secrets: { blue: env-blue, green: env-green }
smokeTests:
  - http: { path: /ready, expect: [".ready == true"] }
  - name: ping
    exec: { command: npm run ping }
  - command: ./smoke.sh
hooks:
  preTest:
    - exec: { command: [npm, run, migrate], container: web }
manifests: ./manifests
`);
  assert.deepEqual(c.smokeTests[0], {
    type: 'http',
    name: 'GET /ready',
    path: '/ready',
    method: 'GET',
    status: 200,
    expect: ['.ready == true'],
    timeoutMs: 30_000,
    attempts: 10,
  });
  assert.deepEqual(c.smokeTests[1], {
    type: 'exec',
    name: 'ping',
    command: ['sh', '-c', 'npm run ping'],
    container: 'myapp',
    timeoutMs: 30_000,
  });
  assert.equal(c.smokeTests[2]!.type, 'command');
  assert.deepEqual(c.hooks.preTest[0], {
    type: 'exec',
    name: 'npm run migrate',
    command: ['npm', 'run', 'migrate'],
    container: 'web',
    timeoutMs: 300_000,
  });
  assert.deepEqual(c.secrets, { blue: 'env-blue', green: 'env-green' });
  assert.deepEqual(c.manifests, { dir: '/repo/manifests', variables: {} });
});

test('errors name the file, the field and the fix', () => {
  let e = inputError(() => fromYaml('app: myapp\ndrainSecs: 5\n'));
  assert.equal(e.file, FILE);
  assert.equal(e.field, 'drainSecs');
  assert.match(e.remedy!, /did you mean "drainSeconds"/);
  e = inputError(() => fromYaml('app: My_App\n'));
  assert.equal(e.field, 'app');
  assert.match(e.message, /lower-case/);
  e = inputError(() => fromYaml('app: a\nsmokeTests:\n  - http: { path: ready }\n'));
  assert.equal(e.field, 'smokeTests[0].http.path');
  e = inputError(() => fromYaml('app: a\nsmokeTests:\n  - name: nothing\n'));
  assert.equal(e.field, 'smokeTests[0]');
  assert.match(e.message, /exactly one of: http, exec, command/);
  e = inputError(() => fromYaml('namespace: x\n'));
  assert.equal(e.field, 'app');
  e = inputError(() => fromYaml('app: a\nport: web\nreplicas: 0\n'));
  assert.match(e.message, /also: replicas/);
  e = inputError(() => fromYaml('app: a\ntestMatch: { type: query }\n'));
  assert.equal(e.field, 'testMatch.type');
});

test('YAML syntax errors and duplicate keys are InputErrors with a line', () => {
  assert.match(inputError(() => fromYaml('app: a\n  bad: [\n')).message, /not valid YAML \(line \d+/);
  assert.match(inputError(() => fromYaml('app: a\napp: b\n')).message, /not valid YAML/);
  assert.match(inputError(() => fromYaml('- a\n')).message, /mapping/);
});

test('a missing file says to run cutover init', () => {
  const e = inputError(() => loadConfig('/nonexistent/cutover.yaml', { env: {} }));
  assert.match(e.remedy!, /cutover init/);
});

test('CUTOVER_* overrides come from an allow-list and are validated', () => {
  const c = fromYaml('app: a\ndrainSeconds: 5\n', {
    CUTOVER_DRAIN_SECONDS: '0',
    CUTOVER_NAMESPACE: 'prod',
    CUTOVER_APP: 'ignored',
    CUTOVER_PORT: '1',
  });
  assert.equal(c.drainSeconds, 0);
  assert.equal(c.namespace, 'prod');
  assert.equal(c.app, 'a');
  assert.equal(c.port, 3000);
  const e = inputError(() => fromYaml('app: a\n', { CUTOVER_LOCK_TIMEOUT_SECONDS: 'ten' }));
  assert.equal(e.field, 'CUTOVER_LOCK_TIMEOUT_SECONDS');
  assert.equal(inputError(() => fromYaml('app: a\n', { CUTOVER_GATEWAY_URL: 'gw:80' })).field, 'gatewayUrl');
});

test('a cookie test match with another name gets a tolerant regex', () => {
  const c = validateConfig(
    { app: 'a', testMatch: { type: 'cookie', name: 'canary', value: 'yes' } },
    FILE,
    {},
  );
  assert.deepEqual(c.testMatch, {
    type: 'cookie',
    name: 'canary',
    value: 'yes',
    regex: '^(.*?;\\s*)?canary=yes(;.*)?$',
  });
});

test('schema/cutover.schema.json is the published copy of the schema object', () => {
  const published = readFileSync(new URL('../../schema/cutover.schema.json', import.meta.url), 'utf8');
  assert.equal(published, renderSchema(), 'run: node --import tsx src/config/write-schema.ts');
  const validator = readFileSync(new URL('./schema-validator.generated.ts', import.meta.url), 'utf8');
  assert.equal(validator, renderValidator(), 'run: node --import tsx src/config/write-schema.ts');
});

test('router: istio by default; gateway-api and service accepted; an unknown value names the field and the choices', () => {
  assert.equal(fromYaml('app: a\nrouter: gateway-api\n').router, 'gateway-api');
  assert.equal(fromYaml('app: a\nrouter: service\n').serviceType, 'LoadBalancer');
  const err = inputError(() => fromYaml('app: a\nrouter: linkerd\n'));
  assert.equal(err.field, 'router');
  assert.match(err.message + (err.remedy ?? ''), /istio.*gateway-api.*service/s);
});
