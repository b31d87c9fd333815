// {{app}}, {{namespace}}, {{color}}, {{release}}, {{interval}} (and {{workload}}) in custom
// PromQL queries. An unknown placeholder is bad input at load time, never an empty string at
// release time (the envsubst flaw the seed has).
export const TEMPLATE_VARIABLES = ['app', 'namespace', 'color', 'release', 'interval', 'workload'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Placeholders in `text` that are not known variables. */
export function unknownPlaceholders(text: string): string[] {
  const known = new Set<string>(TEMPLATE_VARIABLES);
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((n) => !known.has(n));
}

/** Label values go into PromQL double-quoted strings: escape what would end them. */
function promString(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

export function renderTemplate(text: string, values: Record<TemplateVariable, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    name in values ? promString(values[name as TemplateVariable]) : whole,
  );
}
