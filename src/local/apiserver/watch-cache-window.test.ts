import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findResource } from '../resources.js';
import { ApiError } from '../store/api-error.js';
import { createStore } from '../store/index.js';
import { WatchCacheWindows } from './watch-cache-window.js';

const configmaps = findResource('', 'configmaps')!;

function expiredMessage(windows: WatchCacheWindows, rv: number): string | undefined {
  try {
    windows.check(configmaps, rv);
    return undefined;
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 410);
    return e.status.message;
  }
}

test('the watch cache keeps fresh events and forgets stale ones beyond its capacity', async () => {
  const store = await createStore({});
  let now = 0;
  const create = (name: string) =>
    store.create(configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'default' },
    });
  create('before-start');
  const windows = new WatchCacheWindows(store, () => now);
  // Events before the cache started (at resourceVersion 1) are gone; from 1 on they are served.
  assert.equal(expiredMessage(windows, 0), 'too old resource version: 0 (1)');
  assert.equal(expiredMessage(windows, 1), undefined);
  // 250 events within 75 s: the cache grows and keeps them all.
  for (let i = 0; i < 250; i++) create(`fresh-${i}`);
  assert.equal(expiredMessage(windows, 1), undefined);
  // Much later, 400 more: the stale ones are dropped.
  now = 10 * 60_000;
  for (let i = 0; i < 400; i++) create(`late-${i}`);
  assert.match(expiredMessage(windows, 1) ?? '', /^too old resource version: 1 \(\d+\)$/);
  assert.equal(expiredMessage(windows, store.currentResourceVersion() - 10), undefined);
  windows.stop();
  await store.close();
});
