// Events expire an hour after they last happened, as with the API server's default --event-ttl,
// so that a long-lived local cluster (and its state file) does not fill up with them.
import type { ObjectStore } from '../store/types.js';
import { isApiError } from '../store/api-error.js';
import { EVENTS } from './kinds.js';

export const EVENT_TTL_MS = 60 * 60 * 1000;

/** Deletes expired Events; returns when the next one expires. */
export function expireEvents(store: ObjectStore, ttlMs = EVENT_TTL_MS, now = Date.now()): number | undefined {
  let next: number | undefined;
  for (const e of store.list(EVENTS).items) {
    const last = Date.parse(String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? ''));
    if (Number.isNaN(last)) continue;
    const expires = last + ttlMs;
    if (expires > now) {
      next = Math.min(next ?? Infinity, expires);
      continue;
    }
    try {
      store.delete(EVENTS, e.metadata.namespace, e.metadata.name, { preconditions: { uid: e.metadata.uid } });
    } catch (err) {
      if (!(isApiError(err) && (err.code === 404 || err.code === 409))) throw err;
    }
  }
  return next;
}
