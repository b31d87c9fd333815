// Pod names as the API server's generateName makes them: `<prefix><5 random characters>` from
// the alphabet of k8s.io/apimachinery/pkg/util/rand (no vowels, no look-alikes).
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generatePodName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return `${prefix}-${suffix}`;
}
