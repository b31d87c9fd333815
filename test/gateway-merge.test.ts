// Two VirtualServices claiming the same host on one Gateway: the local gateway merges them as
// Istio does (creationTimestamp, then name; catch-alls last) and says so, because one app's
// routes then answer the other app's requests. A more specific host is its own virtual host.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  put,
  putEndpoints,
  putService,
  seedApp,
  send,
  startHarness,
  startPod,
  visible,
  type Harness,
  type Pod,
} from './gateway-fixtures.js';

describe('gateway: VirtualServices sharing a host', () => {
  let h: Harness;
  let pods: Pod[];
  before(async () => {
    h = await startHarness(0);
    const { blue, green } = await seedApp(h);
    const cart = await startPod(h.store, 'default', 'cart-blue-1', { app: 'cart', color: 'blue' });
    putService(h.store, 'default', 'cart', { app: 'cart' });
    putEndpoints(h.store, 'default', 'cart', [cart]);
    put(h.store, 'destinationrules', 'default', 'cart', {
      spec: { host: 'cart', subsets: [{ name: 'blue', labels: { color: 'blue' } }] },
    });
    pods = [blue, green, cart];
  });
  after(async () => {
    await h.close();
    await Promise.all(pods.map((p) => p.close()));
  });

  const vs = (name: string, app: string, hosts: string[]) =>
    put(h.store, 'virtualservices', 'default', name, {
      spec: {
        hosts,
        gateways: ['myapp-gateway'],
        http: [
          {
            name: `${app}-test`,
            match: [{ headers: { cookie: { exact: 'test=true' } } }],
            route: [{ destination: { host: app, subset: 'blue' } }],
          },
          { name: `${app}-default`, route: [{ destination: { host: app, subset: 'blue' } }] },
        ],
      },
    });
  const pod = async (headers: string[] = []) => {
    const r = await send(h.gateway.url, '/', { headers });
    return r.status === 200 ? (r.json().pod as string) : `${r.status}`;
  };

  it('merges the same host in creation order, catch-alls last, and warns naming both', async () => {
    // Created in this order and named in this order: within one second (creationTimestamp's
    // resolution) Istio orders by name, so either way alpha comes first.
    vs('alpha', 'myapp', ['*']);
    await visible(h, vs('beta', 'cart', ['*']));
    // The first-created VirtualService's default route wins every plain request; its test route
    // comes before the other's, so the other app's testers reach the first app too.
    assert.equal(await pod(), 'myapp-blue-1');
    assert.equal(await pod(['cookie', 'test=true']), 'myapp-blue-1');
    const warned = h.logs.filter((l) => l.includes('shares host "*"'));
    assert.equal(warned.length, 1, h.logs.join('\n'));
    assert.match(
      warned[0]!,
      /VirtualService default\/alpha: shares host "\*" on the ingress gateway with default\/beta \(Gateway default\/myapp-gateway\)/,
    );
    assert.match(
      warned[0]!,
      /order default\/alpha \(Gateway default\/myapp-gateway\), default\/beta .*undefined/,
    );
  });

  it('a more specific host is a virtual host of its own: no merge', async () => {
    await visible(h, vs('beta', 'cart', ['cart.example.com']));
    assert.equal(await pod(['host', 'cart.example.com']), 'cart-blue-1');
    assert.equal(await pod(['host', 'other.example.com']), 'myapp-blue-1');
  });
});
