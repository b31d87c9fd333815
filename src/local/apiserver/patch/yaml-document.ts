// YAML (or JSON) request bodies decoded without the ways a hostile document can hurt the process:
// deep flow nesting (thousands of `[`) makes the yaml parser exhaust V8's regexp zone and abort
// the whole process, and self-referencing aliases (`a: &x [*x]`) build cyclic objects.
import { parse } from 'yaml';

/** Nesting deeper than this is refused; real manifests stay under twenty levels. */
export const MAX_NESTING_DEPTH = 200;

export class YamlDocumentError extends Error {}

export function parseYamlDocument(text: string): unknown {
  const trimmed = text.trimStart();
  // JSON is YAML; V8's JSON parser handles any depth without recursion.
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      // Not strict JSON (YAML flow style, comments…): the YAML parser decides below.
    }
  }
  const depth = flowDepth(text);
  if (depth > MAX_NESTING_DEPTH) throw new YamlDocumentError(`exceeded max depth of ${MAX_NESTING_DEPTH}`);
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100, uniqueKeys: false });
  } catch (err) {
    throw new YamlDocumentError((err as Error).message.split('\n')[0] ?? 'invalid YAML', { cause: err });
  }
  try {
    return JSON.parse(JSON.stringify(doc ?? null));
  } catch (err) {
    throw new YamlDocumentError('an anchor value contains itself', { cause: err });
  }
}

/** The deepest nesting of flow brackets outside quoted strings. */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return max;
}
