import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../store/types.js';
import { ApiError } from '../store/api-error.js';
import { decodeContinue, encodeContinue, ListSnapshots, SNAPSHOT_RETENTION_MS } from './list-pages.js';

const objects = (names: string[]): KubeObject[] =>
  names.map((name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } }));

test('a continue token past the etcd compaction window is 410 with an inconsistent-continue token', () => {
  let now = 0;
  const snapshots = new ListSnapshots(() => now);
  const all = { items: objects(['a', 'b', 'c']), resourceVersion: 7 };
  const request = { limit: 1, continueToken: '', scope: 's', filtered: false };
  const first = snapshots.page(request, all);
  assert.deepEqual(
    first.items.map((o) => o.metadata.name),
    ['a'],
  );
  assert.equal(first.remainingItemCount, 2);
  now = SNAPSHOT_RETENTION_MS + 1;
  const err = (() => {
    try {
      snapshots.page({ ...request, continueToken: first.continue! }, all);
    } catch (e) {
      return e as ApiError;
    }
    return undefined;
  })();
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 410);
  assert.equal(err.status.reason, 'Expired');
  assert.match(err.status.message, /^The provided continue parameter is too old/);
  // The fresh token continues after the same key at the latest resourceVersion (-1).
  const fresh = (err.status.metadata as Record<string, string>).continue!;
  assert.deepEqual(decodeContinue(fresh), { start: 'default/a\u0000', rv: -1 });
  const rest = snapshots.page({ ...request, limit: 5, continueToken: fresh }, { ...all, resourceVersion: 9 });
  assert.deepEqual(
    rest.items.map((o) => o.metadata.name),
    ['b', 'c'],
  );
  assert.equal(rest.resourceVersion, 9);
});

test('continue tokens are checked as storage.DecodeContinue checks them', () => {
  const message = (token: string) => {
    try {
      decodeContinue(token);
    } catch (e) {
      return (e as ApiError).status.message;
    }
    return 'accepted';
  };
  assert.equal(
    message(Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 0, start: 'x' })).toString('base64url')),
    'invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
  assert.equal(
    message(Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 3, start: '' })).toString('base64url')),
    'invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)',
  );
  assert.equal(message(encodeContinue('default/a\u0000', 3)), 'accepted');
});
