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

/** JSON of everything but metadata and status: what "the spec changed" means for generation. */
export function specJson(obj: KubeObject): string {
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) {
    if (key === 'metadata' || key === 'status' || key === 'apiVersion' || key === 'kind') continue;
    rest[key] = obj[key];
  }
  return canonicalJson(rest);
}

/** JSON with object keys sorted at every level, so equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
