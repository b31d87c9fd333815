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

/** The template without the hash label, so that an RS's template compares equal to its Deployment's. */
export function templateWithoutHash(template: unknown): Record<string, unknown> {
  const t = clone((template ?? {}) as { metadata?: { labels?: Record<string, string> } });
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t as Record<string, unknown>;
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
