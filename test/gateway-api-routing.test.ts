// The local gateway as a Gateway API controller, over real HTTP: a Gateway of the `istio` class
// gets its own loopback address and the status a controller writes; HTTPRoutes route by their
// rules (cookie regex, header filters, weights) and report Accepted / ResolvedRefs with the
// reasons a real controller gives; Services of type LoadBalancer get a reachable address.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ensureGatewayClass } from '../src/local/gateway-class.js';
import { findResource } from '../src/local/resources.js';
import { startServiceLoadBalancers, type ServiceLoadBalancers } from '../src/local/service-lb/index.js';
import type { KubeObject } from '../src/local/store/types.js';
import {
  put,
  putEndpoints,
  putService,
  send,
  startHarness,
  startPod,
  waitFor,
  type Harness,
  type Pod,
} from './gateway-fixtures.js';

const GW = 'gateway.networking.k8s.io';
const R = {
  gateways: findResource(GW, 'gateways')!,
  httproutes: findResource(GW, 'httproutes')!,
  gatewayclasses: findResource(GW, 'gatewayclasses')!,
  services: findResource('', 'services')!,
  namespaces: findResource('', 'namespaces')!,
};

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function apply(
  h: Harness,
  kind: 'gateways' | 'httproutes',
  ns: string,
  name: string,
  spec: Json,
): KubeObject {
  const existing = h.store.get(R[kind], ns, name);
  const obj: KubeObject = {
    apiVersion: `${GW}/v1`,
    kind: kind === 'gateways' ? 'Gateway' : 'HTTPRoute',
    metadata: { ...(existing?.metadata ?? {}), name, namespace: ns },
    spec,
  };
  return existing ? h.store.update(R[kind], obj) : h.store.create(R[kind], obj);
}

function conditionOf(obj: KubeObject | undefined, type: string, parent = 0): Json | undefined {
  const status = (obj?.status ?? {}) as Json;
  const list = obj?.kind === 'HTTPRoute' ? status.parents?.[parent]?.conditions : status.conditions;
  return (list ?? []).find((c: Json) => c.type === type);
}

/** Waits until the route's condition has been judged at its current generation. */
function routeCondition(h: Harness, ns: string, name: string, type: string): Promise<Json> {
  return waitFor(`${type} of HTTPRoute ${ns}/${name}`, () => {
    const r = h.store.get(R.httproutes, ns, name);
    const c = conditionOf(r, type);
    return c && c.observedGeneration === r?.metadata.generation ? c : undefined;
  });
}

let h: Harness;
let lbs: ServiceLoadBalancers;
let blue: Pod;
let green: Pod;
let gatewayUrl: string;
const agent = new Agent({ keepAlive: false });

before(async () => {
  h = await startHarness();
  ensureGatewayClass(h.store);
  lbs = startServiceLoadBalancers({ store: h.store, log: (l) => h.logs.push(l) });
  blue = await startPod(h.store, 'default', 'web-blue-1', { app: 'web', color: 'blue' });
  green = await startPod(h.store, 'default', 'web-green-1', { app: 'web', color: 'green' });
  putService(h.store, 'default', 'web-blue', { app: 'web', color: 'blue' });
  putEndpoints(h.store, 'default', 'web-blue', [blue]);
  putService(h.store, 'default', 'web-green', { app: 'web', color: 'green' });
  putEndpoints(h.store, 'default', 'web-green', [green]);
  apply(h, 'gateways', 'default', 'web', {
    gatewayClassName: 'istio',
    listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
  });
  const address = await waitFor('the Gateway address', () => {
    const gw = h.store.get(R.gateways, 'default', 'web');
    return ((gw?.status as Json | undefined)?.addresses?.[0]?.value as string | undefined) ?? undefined;
  });
  gatewayUrl = `http://${address}:8080`;
});

after(async () => {
  await Promise.all([blue?.close(), green?.close()]);
  await lbs?.stop();
  await h?.close();
  agent.destroy();
});

describe('Gateway API at the local gateway', () => {
  it('the GatewayClass is accepted and the Gateway is programmed on its own loopback address', async () => {
    await waitFor('class accepted', () =>
      conditionOf(h.store.get(R.gatewayclasses, undefined, 'istio'), 'Accepted'),
    );
    const gw = await waitFor('Gateway programmed', () => {
      const g = h.store.get(R.gateways, 'default', 'web');
      return conditionOf(g, 'Programmed')?.status === 'True' ? g : undefined;
    });
    const status = gw.status as Json;
    assert.match(status.addresses[0].value, /^127\.(2\d\d)\.\d+\.\d+$/);
    assert.equal(status.addresses[0].type, 'IPAddress');
    assert.equal(conditionOf(gw, 'Accepted')?.status, 'True');
    assert.equal(status.listeners[0].name, 'http');
    assert.deepEqual(status.listeners[0].supportedKinds, [{ group: GW, kind: 'HTTPRoute' }]);
    // No route yet: the address answers 404 as an Envoy listener without routes does.
    assert.equal((await send(gatewayUrl, '/', { agent })).status, 404);
  });

  it('routes by the rules: default to blue, the test cookie (browser-safe regex) to green, with header filters', async () => {
    const route = apply(h, 'httproutes', 'default', 'web', {
      parentRefs: [{ name: 'web' }],
      rules: [
        {
          matches: [
            { headers: [{ name: 'cookie', type: 'RegularExpression', value: '(.*;\\s*)?test=true(;.*)?' }] },
          ],
          filters: [
            {
              type: 'RequestHeaderModifier',
              requestHeaderModifier: { set: [{ name: 'x-tester', value: 'yes' }] },
            },
            {
              type: 'ResponseHeaderModifier',
              responseHeaderModifier: { set: [{ name: 'x-color', value: 'green' }] },
            },
          ],
          backendRefs: [{ name: 'web-green', port: 80 }],
        },
        {
          filters: [
            {
              type: 'ResponseHeaderModifier',
              responseHeaderModifier: { set: [{ name: 'x-color', value: 'blue' }] },
            },
          ],
          backendRefs: [
            { name: 'web-blue', port: 80, weight: 1 },
            { name: 'web-green', port: 80, weight: 0 },
          ],
        },
      ],
    });
    const accepted = await routeCondition(h, 'default', 'web', 'Accepted');
    assert.deepEqual([accepted.status, accepted.reason], ['True', 'Accepted']);
    assert.equal(accepted.observedGeneration, route.metadata.generation);
    const resolved = conditionOf(h.store.get(R.httproutes, 'default', 'web'), 'ResolvedRefs')!;
    assert.deepEqual([resolved.status, resolved.reason], ['True', 'ResolvedRefs']);
    const parent = (h.store.get(R.httproutes, 'default', 'web')!.status as Json).parents[0];
    assert.equal(parent.controllerName, 'istio.io/gateway-controller');
    assert.deepEqual(parent.parentRef, { group: GW, kind: 'Gateway', name: 'web' });
    for (let i = 0; i < 10; i++) {
      const plain = await send(gatewayUrl, '/x', { agent, headers: ['cookie', 'a=1'] });
      assert.equal(plain.json().pod, 'web-blue-1');
      assert.equal(plain.headers['x-color'], 'blue');
    }
    const tester = await send(gatewayUrl, '/x', { agent, headers: ['cookie', 'a=1; test=true'] });
    assert.equal(tester.json().pod, 'web-green-1');
    assert.equal(tester.headers['x-color'], 'green');
    assert.ok(tester.json().headers.includes('x-tester'));
    const gw = h.store.get(R.gateways, 'default', 'web')!;
    assert.equal((gw.status as Json).listeners[0].attachedRoutes, 1);
  });

  it('a backendRef to a missing Service: ResolvedRefs False with BackendNotFound, and 500 for its requests', async () => {
    apply(h, 'httproutes', 'default', 'broken', {
      parentRefs: [{ name: 'web' }],
      hostnames: ['broken.example.com'],
      rules: [{ backendRefs: [{ name: 'web-purple', port: 80 }] }],
    });
    const resolved = await routeCondition(h, 'default', 'broken', 'ResolvedRefs');
    assert.deepEqual([resolved.status, resolved.reason], ['False', 'BackendNotFound']);
    assert.match(resolved.message, /Service default\/web-purple not found/);
    const r = await send(gatewayUrl, '/', { agent, headers: ['host', 'broken.example.com'] });
    assert.equal(r.status, 500);
  });

  it('a regex RE2 cannot compile: Accepted False with UnsupportedValue', async () => {
    apply(h, 'httproutes', 'default', 'bad-regex', {
      parentRefs: [{ name: 'web' }],
      hostnames: ['bad.example.com'],
      rules: [
        {
          matches: [{ headers: [{ name: 'cookie', type: 'RegularExpression', value: '^(?!x)' }] }],
          backendRefs: [{ name: 'web-blue', port: 80 }],
        },
      ],
    });
    const accepted = await routeCondition(h, 'default', 'bad-regex', 'Accepted');
    assert.deepEqual([accepted.status, accepted.reason], ['False', 'UnsupportedValue']);
  });

  it('a route from another namespace is not allowed by a listener that allows Same', async () => {
    h.store.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    apply(h, 'httproutes', 'other', 'web', {
      parentRefs: [{ name: 'web', namespace: 'default' }],
      rules: [{}],
    });
    const accepted = await routeCondition(h, 'other', 'web', 'Accepted');
    assert.deepEqual([accepted.status, accepted.reason], ['False', 'NotAllowedByListeners']);
  });

  it('a Service of type LoadBalancer gets a loopback address that reaches its endpoints, following selector changes', async () => {
    put(h.store, 'services', 'default', 'web', {
      spec: {
        type: 'LoadBalancer',
        selector: { app: 'web', color: 'blue' },
        ports: [{ name: 'http', port: 8081, targetPort: 8080 }],
      },
    });
    putEndpoints(h.store, 'default', 'web', [blue]);
    const ip = await waitFor('the load balancer ingress', () => {
      const s = h.store.get(R.services, 'default', 'web');
      return (
        ((s?.status as Json | undefined)?.loadBalancer?.ingress?.[0]?.ip as string | undefined) ?? undefined
      );
    });
    assert.match(ip, /^127\./);
    assert.equal((await send(`http://${ip}:8081`, '/', { agent })).json().pod, 'web-blue-1');
    putEndpoints(h.store, 'default', 'web', [green]);
    assert.equal((await send(`http://${ip}:8081`, '/', { agent })).json().pod, 'web-green-1');
  });
});
