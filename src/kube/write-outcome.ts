// Learning by reading whether a write took effect when its answer was lost (a reset connection,
// a timeout or a 5xx after the request left us). Pure functions of what was sent and what the
// object looks like now; the client does the GET.
//
// The rules (ADR 0008):
// - resourceVersion still the one the write was conditioned on → it did not happen: send it again
//   (the precondition still guards it, so this is not a blind retry).
// - the object now holds everything the write set → it happened: return the object, do not resend.
// - otherwise another writer got there first: ConflictError (AlreadyExistsError for a create), and
//   the caller re-reads and re-plans, as for any 409.
// "Holds everything" is a subset test: the server adds defaults and status, never changes a value
// we set; numbers and numeric strings compare as equal (an int-or-string port, a quantity).
import { AlreadyExistsError, ConflictError, NotFoundError, type KubeStatus } from './errors.js';
import type { WriteResolution } from './request.js';
import type { DeleteOptions, KubeObject } from './types.js';

const NOT_APPLIED: WriteResolution = { outcome: 'not-applied' };

export function createOutcome(what: string, sent: KubeObject, now: KubeObject | undefined): WriteResolution {
  if (!now) return NOT_APPLIED;
  if (holdsObject(now, sent)) return { outcome: 'applied', object: now };
  return conflict(
    AlreadyExistsError,
    'AlreadyExists',
    `${what}: the answer was lost and the object now exists with other content (another writer created it)`,
  );
}

export function replaceOutcome(what: string, sent: KubeObject, now: KubeObject | undefined): WriteResolution {
  if (!now) return gone(what);
  if (now.metadata.resourceVersion === sent.metadata.resourceVersion) return NOT_APPLIED;
  if (holdsObject(now, sent)) return { outcome: 'applied', object: now };
  return changed(what, sent.metadata.resourceVersion, now);
}

export function patchOutcome(
  what: string,
  patch: Record<string, unknown>,
  now: KubeObject | undefined,
): WriteResolution {
  if (!now) return gone(what);
  const rv = (patch.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  if (rv !== undefined && now.metadata.resourceVersion === rv) return NOT_APPLIED;
  if (holdsPatch(now, withoutResourceVersion(patch))) return { outcome: 'applied', object: now };
  // An unconditional merge patch gives the same result however often it is applied.
  return rv === undefined ? NOT_APPLIED : changed(what, rv, now);
}

export function deleteOutcome(
  what: string,
  options: DeleteOptions,
  now: KubeObject | undefined,
): WriteResolution {
  if (!now || now.metadata.deletionTimestamp) return { outcome: 'applied', object: now };
  // Same name, another uid: the object we meant is gone and a new one took its name.
  if (options.uid && now.metadata.uid !== options.uid) return { outcome: 'applied', object: undefined };
  if (options.resourceVersion && now.metadata.resourceVersion !== options.resourceVersion) {
    return changed(what, options.resourceVersion, now);
  }
  return NOT_APPLIED;
}

/** True when `now` has every field `sent` sets (metadata: labels and annotations only). */
export function holdsObject(now: KubeObject, sent: KubeObject): boolean {
  const { metadata, status: _status, ...rest } = sent;
  void _status;
  return (
    holds(now.metadata.labels ?? {}, metadata.labels ?? {}) &&
    holds(now.metadata.annotations ?? {}, metadata.annotations ?? {}) &&
    holds(now, rest)
  );
}

/** True when applying the merge patch to `now` would change nothing. */
export function holdsPatch(now: unknown, patch: unknown): boolean {
  if (!isMap(patch)) return same(now, patch);
  const target = isMap(now) ? now : {};
  return Object.entries(patch).every(([k, v]) => (v === null ? !(k in target) : holdsPatch(target[k], v)));
}

function holds(now: unknown, sent: unknown): boolean {
  if (isMap(sent)) return isMap(now) && Object.entries(sent).every(([k, v]) => holds(now[k], v));
  if (Array.isArray(sent)) {
    return Array.isArray(now) && now.length === sent.length && sent.every((v, i) => holds(now[i], v));
  }
  return same(now, sent);
}

function same(a: unknown, b: unknown): boolean {
  if (isMap(a) || isMap(b) || Array.isArray(a) || Array.isArray(b)) return holds(a, b) && holds(b, a);
  if (a === b) return true;
  const scalar = (v: unknown) => typeof v === 'number' || typeof v === 'string';
  return scalar(a) && scalar(b) && String(a) === String(b);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function withoutResourceVersion(patch: Record<string, unknown>): Record<string, unknown> {
  if (!isMap(patch.metadata)) return patch;
  const { resourceVersion: _rv, ...metadata } = patch.metadata;
  void _rv;
  return { ...patch, metadata };
}

function gone(what: string): WriteResolution {
  return conflict(NotFoundError, 'NotFound', `${what}: the answer was lost and the object no longer exists`);
}

function changed(what: string, expected: string | undefined, now: KubeObject): WriteResolution {
  return conflict(
    ConflictError,
    'Conflict',
    `${what}: the answer was lost and the object changed since it was read (resourceVersion ${expected ?? '?'} → ${now.metadata.resourceVersion ?? '?'}) by another writer; re-read and try again`,
  );
}

function conflict(
  Kind: typeof ConflictError | typeof AlreadyExistsError | typeof NotFoundError,
  reason: string,
  message: string,
): WriteResolution {
  const code = Kind === NotFoundError ? 404 : 409;
  const status: KubeStatus = { kind: 'Status', status: 'Failure', code, reason, message };
  return { outcome: 'conflict', error: new Kind(code, status) };
}
