// Plans and results are printed (dry runs, -o json, CI logs), so every value that may be a
// secret is replaced before a change leaves the engine: container env values (the seed put
// DB_PASSWORD there), Secret data, and exec/command strings are kept, since cutover.yaml holds them.
import type { ObjectChange } from '../routers/types.js';

export const HIDDEN = '(hidden)';

function redactValue(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    // env: [{name, value}] — keep names, hide values.
    if (key === 'env')
      return value.map((e) => (e && typeof e === 'object' && 'value' in e ? { ...e, value: HIDDEN } : e));
    return value.map((v) => redactValue(v));
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k);
  return out;
}

function redactSecret(obj: Record<string, unknown>): Record<string, unknown> {
  const hide = (m: unknown) =>
    m && typeof m === 'object' ? Object.fromEntries(Object.keys(m).map((k) => [k, HIDDEN])) : m;
  return {
    ...obj,
    ...(obj.data ? { data: hide(obj.data) } : {}),
    ...(obj.stringData ? { stringData: hide(obj.stringData) } : {}),
  };
}

export function redactChange(change: ObjectChange): ObjectChange {
  const secret = change.kind === 'Secret';
  const clean = (o: Record<string, unknown> | undefined) => {
    if (!o) return o;
    const r = redactValue(o) as Record<string, unknown>;
    return secret ? redactSecret(r) : r;
  };
  return {
    ...change,
    ...(change.object
      ? { object: clean(change.object as Record<string, unknown>) as ObjectChange['object'] }
      : {}),
    ...(change.patch ? { patch: clean(change.patch) } : {}),
  };
}
