import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../kube/types.js';
import type { NamespaceRouting } from '../plain-traffic.js';
import { gatewayApiPlainTraffic } from './plain-traffic.js';

const svc = (name: string, selector: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec: { selector },
});
const route = (name: string, rules: unknown[]): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'shop' },
  spec: { parentRefs: [{ name: 'gw' }], rules },
});
const routing = (...routes: KubeObject[]): NamespaceRouting => ({
  namespace: 'shop',
  services: [svc('cart-blue', { app: 'cart', color: 'blue' }), svc('cart', { app: 'cart' })],
  objects: new Map([['HTTPRoute', routes]]),
});
const blue = { app: 'cart', color: 'blue' };
const green = { app: 'cart', color: 'green' };
const testerMatch = { headers: [{ name: 'cookie', type: 'RegularExpression', value: '.*test=true.*' }] };

test('a rule without matches, or with a path match, sends plain traffic to the pods its Service selects', () => {
  const r = route('legacy', [
    { matches: [testerMatch], backendRefs: [{ name: 'cart-blue', port: 80 }] },
    {
      matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
      backendRefs: [{ name: 'cart-blue', port: 80 }],
    },
  ]);
  assert.deepEqual(gatewayApiPlainTraffic.find(routing(r), blue), [
    { kind: 'HTTPRoute', namespace: 'shop', name: 'legacy', via: 'rules[1] → Service cart-blue' },
  ]);
  assert.deepEqual(gatewayApiPlainTraffic.find(routing(r), green), []);
  const named = route('all', [{ name: 'everyone', backendRefs: [{ name: 'cart', port: 80 }] }]);
  assert.deepEqual(
    gatewayApiPlainTraffic.find(routing(named), green).map((x) => x.via),
    ['rule "everyone" → Service cart'],
    'a Service over both colors reaches green pods too',
  );
});

test('tester-only rules, weight 0, other kinds and other namespaces send no plain traffic here', () => {
  const r = route('cutover-style', [
    {
      matches: [testerMatch, { queryParams: [{ name: 'preview', value: '1' }] }],
      backendRefs: [{ name: 'cart-blue', port: 80 }],
    },
    { backendRefs: [{ name: 'cart-blue', port: 80, weight: 0 }] },
    { backendRefs: [{ group: 'example.com', kind: 'Bucket', name: 'cart-blue' }] },
    { backendRefs: [{ name: 'cart-blue', namespace: 'elsewhere', port: 80 }] },
  ]);
  assert.deepEqual(gatewayApiPlainTraffic.find(routing(r), blue), []);
  assert.deepEqual(gatewayApiPlainTraffic.backends!(routing(r)), ['cart-blue', 'cart-blue']);
});

test('an HTTPRoute in another namespace with a backendRef into this one counts (with or without a ReferenceGrant)', () => {
  const edge = (name: string, ref: Record<string, unknown>): KubeObject => ({
    ...route(name, [{ backendRefs: [{ port: 80, ...ref }] }]),
    metadata: { name, namespace: 'edge' },
  });
  const r: NamespaceRouting = {
    ...routing(),
    elsewhere: new Map([
      [
        'HTTPRoute',
        [
          edge('storefront', { name: 'cart-blue', namespace: 'shop' }),
          edge('own-namespace', { name: 'cart-blue' }),
        ],
      ],
    ]),
  };
  assert.deepEqual(gatewayApiPlainTraffic.find(r, blue), [
    { kind: 'HTTPRoute', namespace: 'edge', name: 'storefront', via: 'rules[0] → Service shop/cart-blue' },
  ]);
  assert.deepEqual(gatewayApiPlainTraffic.find(r, green), []);
  assert.deepEqual(gatewayApiPlainTraffic.backends!(r), ['cart-blue']);
});
