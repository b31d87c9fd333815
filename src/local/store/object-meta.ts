// Metadata the store assigns: uid, generated names, timestamps, and the spec comparison that
// decides whether generation goes up.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from './types.js';

// The alphabet of k8s.io/apimachinery/pkg/util/rand: no vowels, no confusable characters.
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateNameSuffix(length = 5): string {
  let s = '';
  for (let i = 0; i < length; i++) s += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return s;
}

export function newUid(): string {
  return randomUUID();
}

/** RFC 3339 without fractional seconds, as metav1.Time marshals. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const NOT_SPEC = new Set(['metadata', 'status', 'apiVersion', 'kind']);

/** True when everything but metadata and status is equal: what "the spec did not change" means for generation. */
export function sameSpec(a: KubeObject, b: KubeObject): boolean {
  const keys = (o: KubeObject) => Object.keys(o).filter((k) => !NOT_SPEC.has(k) && o[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k], b[k]))
  );
}

/** Deep equality of JSON values, whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && sameJson(ra[k], rb[k]))
  );
}
