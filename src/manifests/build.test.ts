import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RE2JS } from 're2js';
import { validateConfig } from '../config/load.js';
import {
  buildDeployment,
  buildDestinationRule,
  buildGateway,
  buildService,
  buildVirtualService,
} from './build.js';

const config = validateConfig(
  {
    app: 'myapp',
    namespace: 'shop',
    env: { NODE_ENV: 'production' },
    secrets: { blue: 'env-blue', green: 'env-green' },
    imagePullSecrets: ['dockerhub'],
  },
  '/x/cutover.yaml',
  {},
);

type Route = {
  name: string;
  match?: Array<{ headers: Record<string, { regex?: string; exact?: string }> }>;
  route: Array<{ destination: { host: string; subset: string }; weight: number }>;
  headers: { response: { set: Record<string, string> } };
};

test('the Service selects the app only, port named http, targetPort the pods’ port named http', () => {
  const svc = buildService(config);
  assert.deepEqual(svc.spec, {
    selector: { app: 'myapp' },
    ports: [{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }],
  });
  assert.equal(svc.metadata.namespace, 'shop');
});

test("a color's Deployment: labels, readiness probe, env, envFrom the color's Secret", () => {
  const d = buildDeployment(config, { color: 'green', image: 'me/myapp:v2', release: 'r42' });
  assert.equal(d.metadata.name, 'myapp-green');
  assert.deepEqual(d.metadata.labels, {
    app: 'myapp',
    color: 'green',
    'cutover.dev/release': 'r42',
    'app.kubernetes.io/managed-by': 'cutover',
  });
  const spec = d.spec as {
    selector: { matchLabels: object };
    template: {
      metadata: { labels: object };
      spec: { imagePullSecrets: unknown; containers: Array<Record<string, unknown>> };
    };
  };
  assert.deepEqual(spec.selector.matchLabels, { app: 'myapp', color: 'green' });
  assert.deepEqual(spec.template.metadata.labels, {
    app: 'myapp',
    color: 'green',
    version: 'r42',
    'cutover.dev/release': 'r42',
  });
  const c = spec.template.spec.containers[0]!;
  assert.equal(c.image, 'me/myapp:v2');
  assert.deepEqual(c.envFrom, [{ secretRef: { name: 'env-green' } }]);
  assert.deepEqual((c.readinessProbe as { httpGet: object }).httpGet, { path: '/ready', port: 3000 });
  assert.deepEqual(
    (c.env as Array<{ name: string }>).map((e) => e.name),
    ['NODE_ENV', 'CUTOVER_COLOR', 'CUTOVER_RELEASE'],
  );
  assert.deepEqual(spec.template.spec.imagePullSecrets, [{ name: 'dockerhub' }]);
});

test('DestinationRule subsets by color, in a stable order', () => {
  const dr = buildDestinationRule(config, ['green', 'blue']);
  assert.deepEqual(dr.spec, {
    host: 'myapp',
    subsets: [
      { name: 'blue', labels: { color: 'blue' } },
      { name: 'green', labels: { color: 'green' } },
    ],
  });
});

test('Gateway from the config', () => {
  assert.deepEqual(buildGateway(config).spec, {
    selector: { istio: 'ingressgateway' },
    servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
  });
  assert.equal(buildGateway(config).metadata.name, 'myapp-gateway');
});

test('route set: test route first with the cookie match, default route last, color stamped', () => {
  const vs = buildVirtualService(config, { active: 'blue', test: 'green' });
  const http = (vs.spec as { http: Route[] }).http;
  assert.deepEqual(
    http.map((r) => [
      r.name,
      r.route[0]!.destination.subset,
      r.route[0]!.weight,
      r.headers.response.set['x-cutover-color'],
    ]),
    [
      ['myapp-test', 'green', 100, 'green'],
      ['myapp-default', 'blue', 100, 'blue'],
    ],
  );
  assert.equal(http[1]!.match, undefined);
  // The generated regex matches what browsers send (RE2, full match, as Envoy evaluates it).
  const re = RE2JS.compile(http[0]!.match![0]!.headers.cookie!.regex!);
  for (const ok of ['test=true', 'a=1; test=true', 'a=1;test=true; b=2']) assert.ok(re.matches(ok), ok);
  for (const no of ['test=truex', 'a=1; xtest=true', 'test=false']) assert.ok(!re.matches(no), no);
});

test('route set before the first promote has no default route; after it, no test route', () => {
  assert.deepEqual(
    (buildVirtualService(config, { active: null, test: 'blue' }).spec as { http: Route[] }).http.map(
      (r) => r.name,
    ),
    ['myapp-test'],
  );
  assert.deepEqual(
    (buildVirtualService(config, { active: 'green', test: null }).spec as { http: Route[] }).http.map(
      (r) => r.name,
    ),
    ['myapp-default'],
  );
});

test('header test match is an exact header match', () => {
  const c = validateConfig(
    { app: 'a', testMatch: { type: 'header', name: 'X-Test', value: 'yes' } },
    '/x/c.yaml',
    {},
  );
  const http = (buildVirtualService(c, { active: 'blue', test: 'green' }).spec as { http: Route[] }).http;
  assert.deepEqual(http[0]!.match, [{ headers: { 'x-test': { exact: 'yes' } } }]);
});
