import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../kube/types.js';
import type { ObjectChange } from '../types.js';
import { GatewayApiRouter } from './router.js';
import type { GatewayApiSettings } from './settings.js';

const settings = (port: number, appLabel = 'app'): GatewayApiSettings => ({
  namespace: 'shop',
  app: 'cart',
  appId: 'shop/cart',
  routeName: 'cart',
  gatewayRef: { name: 'gw', namespace: 'shop' },
  hostnames: [],
  appLabel,
  colorLabel: 'color',
  servicePort: port,
  targetPort: port,
  testMatch: { type: 'header', name: 'x-test', value: '1' },
  annotationPrefix: 'cutover.dev',
});
const service = (color: string, port: number, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: `cart-${color}`, namespace: 'shop', resourceVersion: `rv-${color}`, labels },
  spec: {
    clusterIP: '10.0.0.7',
    selector: { app: 'cart', color },
    ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }],
  },
});
/** The backendRef ports of the (one) HTTPRoute a plan creates. */
const portsOf = (plan: ObjectChange[]): number[] =>
  (plan[0]!.object!.spec as { rules: Array<{ backendRefs: Array<{ port: number }> }> }).rules.map(
    (r) => r.backendRefs[0]!.port,
  );
const ours = { app: 'cart', color: 'x', 'app.kubernetes.io/managed-by': 'cutover' };

test('a changed port: the written color’s Service follows cutover.yaml, the live one keeps its port and its rule names it', () => {
  const r = new GatewayApiRouter(settings(8080));
  const live = r.describe({
    services: { blue: service('blue', 3000, ours), green: service('green', 3000, ours) },
  });
  const plan = r.planEnsure(live, ['blue', 'green'], 'green');
  assert.equal(plan.length, 1, 'blue (live) is left alone');
  assert.equal(plan[0]!.action, 'merge-patch');
  assert.equal(plan[0]!.name, 'cart-green');
  assert.match(plan[0]!.reason, /port 3000→3000 becomes 8080→8080/);
  assert.deepEqual(plan[0]!.patch, {
    metadata: {
      resourceVersion: 'rv-green',
      labels: { color: 'green', 'cutover.dev/serves': 'routes' },
    },
    spec: {
      ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
      selector: { app: 'cart', color: 'green' },
    },
  });
  assert.deepEqual(r.planEnsure(live, ['blue', 'green']), [], 'nothing written: nothing reconciled');
  // Rolling back to blue names blue's port, not cutover.yaml's; a test rule names green's.
  assert.deepEqual(portsOf(r.planAllTraffic(live, 'blue', { at: '2026-01-01T00:00:00Z' })), [3000]);
  assert.deepEqual(portsOf(r.planTestTraffic(live, 'green', 'r2')), [3000]);
});

test('a changed app label: the selector key no longer wanted is removed; a Service cutover did not make is not rewritten', () => {
  const r = new GatewayApiRouter(settings(3000, 'app.kubernetes.io/name'));
  const live = r.describe({ services: { green: service('green', 3000, ours) } });
  const [patch] = r.planEnsure(live, ['green'], 'green');
  assert.deepEqual((patch!.patch as { spec: { selector: unknown } }).spec.selector, {
    'app.kubernetes.io/name': 'cart',
    color: 'green',
    app: null,
  });
  const foreign = r.describe({ services: { green: service('green', 80, { app: 'cart' }) } });
  assert.deepEqual(r.planEnsure(foreign, ['green'], 'green'), []);
  const same = new GatewayApiRouter(settings(3000));
  assert.deepEqual(
    same.planEnsure(same.describe({ services: { green: service('green', 3000, ours) } }), ['green'], 'green'),
    [],
  );
});
