import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../kube/types.js';
import type { ObjectChange } from '../routers/types.js';
import { restoreChange } from './route-acceptance.js';

const route = (rules: unknown[], resourceVersion: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'shop', namespace: 'default', resourceVersion, annotations: { a: '1' } },
  spec: { rules },
  status: { parents: [] },
});
const change = (action: ObjectChange['action']): ObjectChange => ({
  action,
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  namespace: 'default',
  name: 'shop',
  reason: 'x',
});

test('a patched route is put back with its old content under its current resourceVersion', () => {
  const before = route(['default'], '10');
  const back = restoreChange(change('merge-patch'), before, route(['test', 'default'], '12'))!;
  assert.equal(back.action, 'replace');
  assert.deepEqual(back.object!.spec, { rules: ['default'] });
  assert.equal(back.object!.metadata.resourceVersion, '12', 'conditional on what is there now');
  assert.equal(back.object!.status, undefined, 'status is the controller’s');
});

test('a created route is deleted, a deleted one created again, a vanished one left alone', () => {
  const now = route(['test'], '5');
  assert.deepEqual(restoreChange(change('create'), undefined, now), {
    ...change('delete'),
    reason: 'delete HTTPRoute shop, which the controller did not accept',
    resourceVersion: '5',
  });
  const again = restoreChange(change('delete'), route(['default'], '7'), undefined)!;
  assert.equal(again.action, 'create');
  assert.equal(again.object!.metadata.resourceVersion, undefined);
  assert.equal(restoreChange(change('merge-patch'), route([], '1'), undefined), undefined);
});
