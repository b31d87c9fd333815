// A write whose answer was lost and whose outcome is still unknown when its call ends: reading it
// back failed too, or the call was stopped (SIGTERM, a deadline) after the request left. The
// error thrown keeps its class (and so its exit code); this records what would settle it, so the
// engine can read the object again later — on a client that still works — and say whether the
// write took effect instead of what the socket said.
import type { WriteResolution } from './request.js';
import type { KubeObject, ObjectRef } from './types.js';

export interface UnsettledWrite {
  /** The call, e.g. `patch virtualservices default/myapp`. */
  what: string;
  /** The object to read. */
  ref: ObjectRef;
  /** What the object as read now says about the write (absent: undefined). Pure. */
  judge: (now: KubeObject | undefined) => WriteResolution;
}

const unsettled = new WeakMap<object, UnsettledWrite>();

/** Attaches the unsettled write to `err` (kept when the error is wrapped as a `cause`). */
export function markUnsettled<E extends Error>(err: E, write: UnsettledWrite): E {
  unsettled.set(err, write);
  return err;
}

/** The unsettled write behind `err` or one of its causes, if any. */
export function unsettledWriteOf(err: unknown): UnsettledWrite | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const found = unsettled.get(e);
    if (found) return found;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
