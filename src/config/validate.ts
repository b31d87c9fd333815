// Validates a parsed cutover.yaml against the JSON Schema and turns ajv's errors into one
// InputError that names the file, the field and the fix.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { InputError } from '../errors.js';
import { validate as generated } from './schema-validator.generated.js';

function validator(): ValidateFunction {
  return generated as unknown as ValidateFunction;
}

/** Throws InputError when `raw` does not match the schema. */
export function validateRaw(raw: unknown, file: string): void {
  const validate = validator();
  if (validate(raw)) return;
  const problems = pickErrors(validate.errors ?? []).map(describe);
  const [first, ...more] = problems;
  const extra = more.length
    ? `\n  also: ${more.map((p) => `${p.field}: ${p.message}`).join('\n  also: ')}`
    : '';
  throw new InputError(`${first!.message}${extra}`, {
    file,
    field: first!.field,
    remedy: first!.fix ?? 'see docs/configuration.md (schema: schema/cutover.schema.json)',
  });
}

/** Branch errors of a oneOf are noise when a more precise error exists. */
function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  const precise = errors.filter((e) => e.keyword !== 'oneOf' && !/\/oneOf\/\d+\//.test(e.schemaPath));
  const chosen = precise.length ? precise : errors.filter((e) => e.keyword === 'oneOf');
  const seen = new Set<string>();
  return (chosen.length ? chosen : errors).filter((e) => {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

interface Problem {
  field: string;
  message: string;
  fix?: string;
}

export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function describe(e: ErrorObject): Problem {
  const at = fieldPath(e.instancePath);
  const join = (k: string) => (at ? `${at}.${k}` : k);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const near = closest(key, knownKeys(e.parentSchema));
      return {
        field: join(key),
        message: `unknown field "${key}"`,
        fix: near ? `did you mean "${near}"?` : 'remove it',
      };
    }
    case 'required':
      return {
        field: join(String(p.missingProperty)),
        message: `missing required field "${String(p.missingProperty)}"`,
        fix: `add ${join(String(p.missingProperty))}`,
      };
    case 'oneOf':
      return {
        field: at || '(top level)',
        message: oneOfMessage(e),
        fix: 'see docs/configuration.md for the accepted forms',
      };
    case 'pattern':
      return { field: at, message: `${JSON.stringify(valueHint(e))} ${patternMeaning(String(p.pattern))}` };
    case 'discriminator':
      return {
        field: join(String(p.tag)),
        message: `${JSON.stringify(e.data && (e.data as Record<string, unknown>)[String(p.tag)])} is not one of the accepted types`,
        fix: 'use type: cookie or type: header',
      };
    case 'enum':
      return {
        field: at,
        message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { field: at || '(top level)', message: e.message ?? e.keyword };
  }
}

function oneOfMessage(e: ErrorObject): string {
  const branches = (e.schema as Array<{ required?: string[]; type?: string }>) ?? [];
  if (branches.some((b) => b.type)) {
    const forms = branches.map((b) =>
      b.type === 'object' ? `a mapping with ${(b.required ?? []).join(', ')}` : `a ${b.type ?? 'value'}`,
    );
    return `must be ${forms.join(' or ')}`;
  }
  const names = branches.map((b) => b.required?.[0] ?? b.type).filter(Boolean);
  return names.length ? `needs exactly one of: ${names.join(', ')}` : 'does not match any accepted form';
}

function valueHint(e: ErrorObject): unknown {
  return e.data;
}

function patternMeaning(pattern: string): string {
  if (pattern.startsWith('^[a-z0-9]'))
    return "is not a valid name: use lower-case letters, digits and '-', starting and ending with a letter or digit";
  if (pattern === '^/') return "must start with '/'";
  if (pattern === '^https?://') return 'must be a URL starting with http:// or https://';
  return `must match ${pattern}`;
}

function knownKeys(schema: unknown): string[] {
  return Object.keys((schema as { properties?: object })?.properties ?? {});
}

/** The known key within edit distance 3, if any. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d <= 3 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
