import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IstioRouter, activeColorOf, httpRoutes } from './router.js';
import type { RouteSettings } from './settings.js';
import type { KubeObject } from '../../kube/types.js';

const settings: RouteSettings = {
  namespace: 'default',
  serviceHost: 'myapp',
  virtualServiceName: 'myapp',
  destinationRuleName: 'myapp',
  gateway: {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'myapp-gateway' },
    spec: { servers: [] },
  },
  gateways: ['myapp-gateway'],
  hosts: ['*'],
  testMatch: [{ headers: { cookie: { regex: '^(.*?;\\s*)?test=true(;.*)?$' } } }],
  colorLabel: 'color',
  colorHeader: 'x-cutover-color',
  routeNames: { test: 'myapp-test', default: 'myapp-default' },
  appId: 'default/myapp',
  testHeaders: { cookie: 'test=true' },
  annotationPrefix: 'cutover.dev',
};
const router = new IstioRouter(settings);

function vs(http: unknown[], rv = '7'): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'myapp', namespace: 'default', resourceVersion: rv },
    spec: { hosts: ['*'], gateways: ['myapp-gateway'], http },
  };
}
function dr(colors: string[], rv = '5'): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'myapp', namespace: 'default', resourceVersion: rv },
    spec: { host: 'myapp', subsets: colors.map((c) => ({ name: c, labels: { color: c } })) },
  };
}

test('the active color is the last, catch-all route (the seed reads .spec.http[-1])', () => {
  const seed = vs([
    {
      name: 'myapp-test',
      match: [{ headers: {} }],
      route: [{ destination: { host: 'myapp', subset: 'green' } }],
    },
    { name: 'myapp-default', route: [{ destination: { host: 'myapp', subset: 'blue' } }] },
  ]);
  assert.equal(activeColorOf(seed), 'blue');
  const live = router.describe({ virtualService: seed });
  assert.equal(live.testColor, 'green');
  // A VirtualService with only a test route has no active color (first release, before promote).
  assert.equal(activeColorOf(vs([router.route('test', 'blue')])), undefined);
});

test('ensure on an empty namespace creates the Gateway and a DestinationRule with the subset', () => {
  const changes = router.planEnsure(router.describe({}), ['blue']);
  assert.deepEqual(
    changes.map((c) => `${c.action} ${c.kind}`),
    ['create Gateway', 'create DestinationRule'],
  );
  const subsets = (changes[1]!.object!.spec as { subsets: unknown[] }).subsets;
  assert.deepEqual(subsets, [{ name: 'blue', labels: { color: 'blue' } }]);
});

test('a subset is added with a conditional patch and never removed by ensure', () => {
  const live = router.describe({ destinationRule: dr(['blue']), gateway: settings.gateway });
  const [change] = router.planEnsure(live, ['green']);
  assert.equal(change!.action, 'merge-patch');
  assert.deepEqual((change!.patch!.metadata as { resourceVersion: string }).resourceVersion, '5');
  assert.deepEqual(
    (change!.patch!.spec as { subsets: Array<{ name: string }> }).subsets.map((s) => s.name),
    ['blue', 'green'],
  );
  assert.deepEqual(
    router.planEnsure(
      router.describe({ destinationRule: dr(['blue', 'green']), gateway: settings.gateway }),
      ['green'],
    ),
    [],
  );
});

test('testers go to the new color while the default route stays as it is', () => {
  const live = router.describe({ virtualService: vs([router.route('default', 'blue')]) });
  const [change] = router.planTestTraffic(live, 'green');
  const http = (
    change!.patch!.spec as {
      http: Array<{ name: string; route: Array<{ destination: { subset: string } }> }>;
    }
  ).http;
  assert.deepEqual(
    http.map((r) => `${r.name}:${r.route[0]!.destination.subset}`),
    ['myapp-test:green', 'myapp-default:blue'],
  );
  assert.equal((change!.patch!.metadata as { resourceVersion: string }).resourceVersion, '7');
  // Already in place: nothing to write (re-runs converge).
  const done = router.describe({ virtualService: vs(http) });
  assert.deepEqual(router.planTestTraffic(done, 'green'), []);
});

test('the switch is one conditional write that drops the test route and stamps who serves', () => {
  const live = router.describe({
    virtualService: vs([router.route('test', 'green'), router.route('default', 'blue')]),
  });
  const changes = router.planAllTraffic(live, 'green', { release: 'r2', at: '2026-01-01T00:00:00.000Z' });
  assert.equal(changes.length, 1);
  const patch = changes[0]!.patch! as {
    spec: { http: Array<Record<string, unknown>> };
    metadata: { resourceVersion: string; annotations: Record<string, string> };
  };
  assert.equal(patch.metadata.resourceVersion, '7');
  assert.equal(patch.spec.http.length, 1);
  assert.equal(activeColorOf(vs(patch.spec.http)), 'green');
  assert.deepEqual(patch.spec.http[0]!.headers, {
    response: { set: { 'x-cutover-color': 'green', 'x-cutover-served-by': 'default/myapp green r2' } },
  });
  assert.equal(patch.metadata.annotations['cutover.dev/previous-color'], 'blue');
  assert.equal(patch.metadata.annotations['cutover.dev/release'], 'r2');
});

test('removing a color removes its routes but never the default route, and its subset after', () => {
  const live = router.describe({
    virtualService: vs([router.route('test', 'green'), router.route('default', 'green')]),
    destinationRule: dr(['blue', 'green']),
  });
  const [change] = router.planRemoveRoutes(live, 'green');
  assert.deepEqual(
    httpRoutes(vs((change!.patch!.spec as { http: unknown[] }).http)).map((r) => r.name),
    ['myapp-default'],
  );
  const idle = router.describe({
    virtualService: vs([router.route('test', 'blue'), router.route('default', 'green')]),
    destinationRule: dr(['blue', 'green']),
  });
  assert.equal(router.planRemoveRoutes(idle, 'blue').length, 1);
  const [sub] = router.planRemoveSubset(idle, 'blue');
  assert.deepEqual(
    (sub!.patch!.spec as { subsets: Array<{ name: string }> }).subsets.map((s) => s.name),
    ['green'],
  );
  assert.deepEqual(router.planRemoveSubset(router.describe({ destinationRule: dr(['green']) }), 'blue'), []);
});

test("the user's own routes keep their place between the test and the default route", () => {
  const api = {
    name: 'api',
    match: [{ uri: { prefix: '/api' } }],
    route: [{ destination: { host: 'api' } }],
  };
  const live = router.describe({ virtualService: vs([api, router.route('default', 'blue')]) });
  const [change] = router.planTestTraffic(live, 'green');
  const names = (change!.patch!.spec as { http: Array<{ name: string }> }).http.map((r) => r.name);
  assert.deepEqual(names, ['myapp-test', 'api', 'myapp-default']);
});
