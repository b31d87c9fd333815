import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStore } from '../store/index.js';
import { EVENTS } from './kinds.js';
import { expireEvents } from './event-ttl.js';

test('events older than the TTL are deleted, and the next expiry is returned', async () => {
  const store = await createStore({});
  const event = (name: string, lastTimestamp: string) =>
    store.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      lastTimestamp,
    });
  const now = Date.parse('2026-01-01T12:00:00Z');
  event('old', '2026-01-01T10:59:00Z');
  event('fresh', '2026-01-01T11:30:00Z');
  const next = expireEvents(store, 60 * 60 * 1000, now);
  assert.deepEqual(
    store.list(EVENTS).items.map((e) => e.metadata.name),
    ['fresh'],
  );
  assert.equal(next, Date.parse('2026-01-01T12:30:00Z'));
  await store.close();
});
