import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../kube/types.js';
import type { RouteSettings } from './settings.js';
import { findOverlaps, servedHosts } from './overlap.js';

const settings = (hosts: string[], gateways = ['myapp-gateway']): RouteSettings => ({
  namespace: 'shop',
  serviceHost: 'myapp',
  virtualServiceName: 'myapp',
  destinationRuleName: 'myapp',
  gateways,
  hosts,
  testMatch: [],
  colorLabel: 'color',
  colorHeader: 'x-cutover-color',
  appId: 'shop/myapp',
  routeNames: { test: 'myapp-test', default: 'myapp-default' },
  testHeaders: { cookie: 'test=true' },
  annotationPrefix: 'cutover.dev',
});

const vs = (
  ns: string,
  name: string,
  hosts: string[],
  gateways: string[],
  http: unknown[] = [{ route: [] }],
): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { namespace: ns, name },
  spec: { hosts, gateways, http },
});

const server = (hosts: string[], port = 80, selector = 'ingressgateway') => ({
  selector: JSON.stringify([['istio', selector]]),
  servers: [{ port, hosts }],
});
const run = (s: RouteSettings, others: KubeObject[], gw: Record<string, string[]> = {}) =>
  findOverlaps({
    settings: s,
    virtualServices: others,
    gateways: new Map(Object.entries(gw).map(([k, hosts]) => [k, server(hosts)])),
  });

test('the same host on the same gateway is refused, naming the other object, host and gateway', () => {
  const [o, ...rest] = run(settings(['*']), [
    vs('shop', 'cart', ['*'], ['myapp-gateway']),
    vs('shop', 'myapp', ['*'], ['myapp-gateway']),
  ]);
  assert.equal(rest.length, 0, 'our own VirtualService is not an overlap');
  assert.equal(o!.severity, 'refuse');
  assert.equal(o!.other, 'VirtualService shop/cart');
  assert.equal(o!.host, '*');
  assert.equal(o!.gateway, 'shop/myapp-gateway');
  assert.match(o!.remedy, /gateway\.hosts/);
});

test('gateway references resolve as Istio does: name, ns/name; other gateways and mesh do not overlap', () => {
  assert.equal(run(settings(['*']), [vs('web', 'x', ['*'], ['shop/myapp-gateway'])])[0]?.severity, 'refuse');
  assert.deepEqual(
    run(settings(['*']), [vs('web', 'x', ['*'], ['myapp-gateway'])]),
    [],
    'web/myapp-gateway is another gateway',
  );
  assert.deepEqual(run(settings(['*']), [vs('shop', 'x', ['*'], ['mesh'])]), []);
  assert.deepEqual(
    run(settings(['*']), [vs('shop', 'x', ['*'], ['myapp-gateway'], [])]),
    [],
    'no http routes',
  );
});

test('hosts are compared after intersecting with the server hosts, as the gateway serves them', () => {
  // The server serves only a.example.com: `*` and `a.example.com` both become a.example.com, merged.
  const merged = run(settings(['*']), [vs('shop', 'cart', ['a.example.com'], ['myapp-gateway'])], {
    'shop/myapp-gateway': ['a.example.com'],
  });
  assert.deepEqual(
    merged.map((o) => [o.severity, o.host]),
    [['refuse', 'a.example.com']],
  );
  // On a `*` server they are two virtual hosts: the specific one takes its requests (a warning).
  const shadow = run(settings(['*']), [vs('shop', 'cart', ['a.example.com'], ['myapp-gateway'])], {
    'shop/myapp-gateway': ['*'],
  });
  assert.deepEqual(
    shadow.map((o) => [o.severity, o.host]),
    [['warn', 'a.example.com']],
  );
  assert.match(shadow[0]!.message, /go to VirtualService shop\/cart/);
  assert.deepEqual(
    run(settings(['myapp.example.com']), [vs('shop', 'cart', ['cart.example.com'], ['myapp-gateway'])]),
    [],
  );
  assert.deepEqual(servedHosts(['web/*', './x.io', '*/y.io'], ['*'], 'shop', 'shop'), ['x.io', 'y.io']);
});

test('Gateways selecting the same ingress pods on the same port share one route table', () => {
  const gateways = new Map([
    ['shop/myapp-gateway', server(['*'])],
    ['shop/cart-gateway', server(['*'])],
    ['shop/admin-gateway', server(['*'], 8080)],
    ['shop/internal-gateway', server(['*'], 80, 'internal')],
  ]);
  const check = (gw: string) =>
    findOverlaps({ settings: settings(['*']), virtualServices: [vs('shop', 'cart', ['*'], [gw])], gateways });
  const [o] = check('cart-gateway');
  assert.equal(o?.severity, 'refuse');
  assert.match(
    o!.message,
    /Gateway shop\/cart-gateway \(same ingress pods and port 80 as shop\/myapp-gateway\)/,
  );
  assert.deepEqual(check('admin-gateway'), [], 'another port is another listener');
  assert.deepEqual(check('internal-gateway'), [], 'other pods');
});
