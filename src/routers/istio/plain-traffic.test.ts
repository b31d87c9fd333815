import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../kube/types.js';
import { istioPlainTraffic } from './plain-traffic.js';
import { serviceNameOfHost, type NamespaceRouting } from '../plain-traffic.js';

const obj = (kind: string, name: string, spec: unknown): KubeObject => ({
  apiVersion: kind === 'Service' ? 'v1' : 'networking.istio.io/v1',
  kind,
  metadata: { name, namespace: 'default' },
  spec,
});

const service = obj('Service', 'myapp', { selector: { app: 'myapp' } });
const rule = obj('DestinationRule', 'old-rule', {
  host: 'myapp.default.svc.cluster.local',
  subsets: [
    { name: 'blue', labels: { color: 'blue' } },
    { name: 'green', labels: { color: 'green' } },
  ],
});

function routing(...virtualServices: KubeObject[]): NamespaceRouting {
  return {
    namespace: 'default',
    services: [service, obj('Service', 'other', { selector: { app: 'other' } })],
    objects: new Map([
      ['VirtualService', virtualServices],
      ['DestinationRule', [rule]],
    ]),
  };
}

const blue = { app: 'myapp', color: 'blue' };
const green = { app: 'myapp', color: 'green' };
const to = (host: string, subset?: string, weight?: number) => ({
  destination: { host, ...(subset ? { subset } : {}) },
  ...(weight !== undefined ? { weight } : {}),
});

test('a catch-all route to a subset sends plain traffic to the pods the subset selects, whatever its name', () => {
  const vs = obj('VirtualService', 'old-name', {
    http: [
      {
        name: 'testers',
        match: [{ headers: { cookie: { regex: '.*test=true.*' } } }],
        route: [to('myapp', 'green')],
      },
      { name: 'everyone', route: [to('myapp.default', 'blue')] },
    ],
  });
  const found = istioPlainTraffic.find(routing(vs), blue);
  assert.deepEqual(found, [
    {
      kind: 'VirtualService',
      namespace: 'default',
      name: 'old-name',
      via: 'route "everyone" → Service myapp, subset blue',
    },
  ]);
  // The tester route (a header match) is no plain traffic: green is not live.
  assert.deepEqual(istioPlainTraffic.find(routing(vs), green), []);
});

test('a route without a subset reaches every pod of the Service; a uri match still reaches users', () => {
  const vs = obj('VirtualService', 'plain', {
    http: [{ match: [{ uri: { prefix: '/api' } }], route: [to('myapp')] }],
  });
  assert.equal(istioPlainTraffic.find(routing(vs), green)[0]?.via, 'http[0] → Service myapp');
});

test('weight 0, another Service, another namespace and an undefined subset send nothing', () => {
  const vs = obj('VirtualService', 'quiet', {
    http: [
      { route: [to('myapp', 'blue', 0), to('myapp', 'green', 100)] },
      { route: [to('other', 'blue')] },
      { route: [to('myapp.elsewhere.svc.cluster.local', 'blue')] },
      { route: [to('myapp', 'purple')] },
    ],
  });
  assert.deepEqual(istioPlainTraffic.find(routing(vs), blue), []);
  assert.equal(istioPlainTraffic.find(routing(vs), green).length, 1);
});

test('mesh hosts name Services of this namespace only', () => {
  assert.equal(serviceNameOfHost('myapp', 'default'), 'myapp');
  assert.equal(serviceNameOfHost('myapp.default.svc.cluster.local', 'default'), 'myapp');
  assert.equal(serviceNameOfHost('myapp.default.svc.corp.example', 'default'), 'myapp');
  assert.equal(serviceNameOfHost('myapp.prod', 'default'), undefined);
  assert.equal(serviceNameOfHost('api.example.com', 'default'), undefined);
});

test('a VirtualService in another namespace counts when its host names this namespace’s Service, not by a short name', () => {
  const inEdge = (name: string, host: string, subset?: string): KubeObject => ({
    ...obj('VirtualService', name, { http: [{ route: [to(host, subset)] }] }),
    metadata: { name, namespace: 'edge' },
  });
  const r: NamespaceRouting = {
    ...routing(),
    elsewhere: new Map([
      [
        'VirtualService',
        [
          inEdge('shop', 'myapp.default.svc.cluster.local', 'green'),
          inEdge('local-name', 'myapp', 'green'),
          inEdge('other-ns', 'myapp.elsewhere.svc.cluster.local', 'green'),
        ],
      ],
    ]),
  };
  assert.deepEqual(istioPlainTraffic.find(r, green), [
    {
      kind: 'VirtualService',
      namespace: 'edge',
      name: 'shop',
      via: 'http[0] → Service default/myapp, subset green',
    },
  ]);
  assert.deepEqual(istioPlainTraffic.find(r, blue), [], 'the subset narrows it to green');
  assert.deepEqual(istioPlainTraffic.backends!(r), ['myapp']);
});
