import { readFileSync } from 'node:fs';

// The seed's blue-green manifests, verbatim (shared/reference/seed-demo.md §3, kept in
// examples/seed-manifests/), and a strict
// substitution of their $VARIABLES: an unset variable is an error, never an empty string.

export function substitute(text: string, values: Record<string, string>): string {
  const missing = new Set<string>();
  const out = text.replace(/\$([A-Z_][A-Z0-9_]*)/g, (_m, name: string) => {
    if (values[name] === undefined) missing.add(name);
    return values[name] ?? '';
  });
  if (missing.size > 0) throw new Error(`unset variables: ${[...missing].join(', ')}`);
  return out;
}

const FILES = ['gateway.yml', 'route.yml', 'route-test.yml', 'deployment.yml', 'service.yml'] as const;
type SeedFile = (typeof FILES)[number];

/** The files of examples/seed-manifests/, the seed's manifests folder byte for byte. */
export function seedManifests(): Record<SeedFile, string> {
  const dir = new URL('../../examples/seed-manifests/', import.meta.url);
  return Object.fromEntries(FILES.map((f) => [f, readFileSync(new URL(f, dir), 'utf8')])) as Record<
    SeedFile,
    string
  >;
}
