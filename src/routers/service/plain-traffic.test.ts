import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../kube/types.js';
import { SERVES_LABEL, type NamespaceRouting } from '../plain-traffic.js';
import { serviceSelectorPlainTraffic } from './plain-traffic.js';

const svc = (
  name: string,
  spec: Record<string, unknown>,
  labels: Record<string, string> = {},
): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop', labels }, spec });
const routing = (services: KubeObject[], routed: string[] = []): NamespaceRouting => ({
  namespace: 'shop',
  services,
  objects: new Map(),
  routedServices: new Set(routed),
});
const blue = { app: 'cart', color: 'blue', version: 'r1' };

test('a Service whose selector picks one color is a traffic switch, whatever its name', () => {
  const found = serviceSelectorPlainTraffic.find(
    routing([
      svc('cart', { selector: { app: 'cart', color: 'blue' } }),
      svc('cart-public', { selector: { color: 'blue', app: 'cart' }, type: 'LoadBalancer' }),
      svc('other', { selector: { app: 'other', color: 'blue' } }),
    ]),
    blue,
  );
  assert.deepEqual(
    found.map((f) => `${f.name}: ${f.via}`),
    [
      'cart: selector app=cart,color=blue, type ClusterIP',
      'cart-public: selector color=blue,app=cart, type LoadBalancer',
    ],
  );
  assert.deepEqual(
    serviceSelectorPlainTraffic.find(routing([svc('cart', { selector: { app: 'cart', color: 'blue' } })]), {
      ...blue,
      color: 'green',
    }),
    [],
  );
});

test('left out: selectors over both colors, cutover-labelled Services, ClusterIP backends of routes', () => {
  const services = [
    svc('cart', { selector: { app: 'cart' } }),
    svc(
      'cart-preview',
      { selector: { app: 'cart', color: 'blue' }, type: 'LoadBalancer' },
      { [SERVES_LABEL]: 'testers' },
    ),
    svc('cart-blue', { selector: { app: 'cart', color: 'blue' } }),
    svc('cart-blue-lb', { selector: { app: 'cart', color: 'blue' }, type: 'NodePort' }),
  ];
  const found = serviceSelectorPlainTraffic.find(routing(services, ['cart-blue', 'cart-blue-lb']), blue);
  assert.deepEqual(
    found.map((f) => f.name),
    ['cart-blue-lb'],
    'a Service exposed by itself counts even when a route names it',
  );
});
