// The `pod-template-hash` of a Deployment's pod template, as Kubernetes computes it in spirit
// (controller.ComputeHash): FNV-1a 32 of the template (plus the collision count), its decimal
// form mapped onto the alphabet of k8s.io/apimachinery/pkg/util/rand.SafeEncodeString. The
// decimal is zero-padded to 10 digits so the hash always has 10 characters.
import { canonicalJson, clone } from './object-helpers.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The template without the hash label, so that an RS's template compares equal to its
 * Deployment's, and without null, `{}` and `[]` values: Kubernetes compares templates as Go
 * structs (apiequality.Semantic), where those equal an absent field. kubectl sends them
 * (`creationTimestamp: null`, `resources: {}`) when it writes a template back, as `rollout undo` does.
 */
export function templateWithoutHash(template: unknown): Record<string, unknown> {
  const t = clone((template ?? {}) as { metadata?: { labels?: Record<string, string> } });
  if (t.metadata?.labels) delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return (withoutEmpty(t) ?? {}) as Record<string, unknown>;
}

function withoutEmpty(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => withoutEmpty(v) ?? {});
    return items.length ? items : undefined;
  }
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const kept = withoutEmpty(v);
    if (kept !== undefined) out[k] = kept;
  }
  return Object.keys(out).length ? out : undefined;
}

export function computePodTemplateHash(template: unknown, collisionCount = 0): string {
  const text = canonicalJson(templateWithoutHash(template)) + (collisionCount ? `#${collisionCount}` : '');
  const decimal = String(fnv1a32(text)).padStart(10, '0');
  let out = '';
  for (const ch of decimal) out += ALPHANUMS[ch.charCodeAt(0) % ALPHANUMS.length];
  return out;
}

export function templatesEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(templateWithoutHash(a)) === canonicalJson(templateWithoutHash(b));
}
