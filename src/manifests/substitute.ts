// Structural variable substitution: the YAML is parsed FIRST, then `$VAR` / `${VAR}` are replaced
// inside string scalars only. A value can never become YAML structure: "a: b\nc" stays a string.
// `$$` is a literal `$`; a `$` not followed by a name (e.g. the end of a regex `...)?$`) stays.
// One deliberate convenience: a PLAIN (unquoted) scalar that is exactly one reference, like
// `replicas: $REPLICAS`, takes the YAML core type of its value (3 → number, true → boolean),
// as it would have after envsubst; quoted scalars ("$DB_PORT") always stay strings.
import type { Document, Node } from 'yaml';
import { isMap, isPair, isScalar, isSeq } from '../yaml/index.js';

const REF = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;
const WHOLE_REF = /^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$/;

export type Vars = Record<string, string | undefined>;

/** Where an unset variable was used. */
export interface UnsetUse {
  name: string;
  /** Field path in the object, e.g. `spec.http[1].route[0].destination.subset`. */
  field: string;
}

/** Names referenced in a string (for listing a folder's variables). */
export function referencedNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(REF)) {
    const name = m[2] ?? m[3];
    if (name) out.push(name);
  }
  return out;
}

/** Replaces references in one string; unset names are reported and left in place. */
export function substituteString(text: string, vars: Vars, onUnset: (name: string) => void): string {
  return text.replace(REF, (all, _body: string, braced?: string, bare?: string) => {
    if (all === '$$') return '$';
    const name = (braced ?? bare)!;
    const value = vars[name];
    if (value === undefined) {
      onUnset(name);
      return all;
    }
    return value;
  });
}

/** Substitutes in place in a parsed document (call on a clone). Returns the unset uses. */
export function substituteDocument(doc: Document, vars: Vars): UnsetUse[] {
  const unset: UnsetUse[] = [];
  walk(doc.contents as Node | null, '', vars, unset);
  return unset;
}

function walk(node: Node | null, path: string, vars: Vars, unset: UnsetUse[]): void {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      walk(pair.value as Node | null, path ? `${path}.${key}` : key, vars, unset);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item as Node | null, `${path}[${i}]`, vars, unset));
  } else if (isScalar(node) && typeof node.value === 'string') {
    const before = node.value;
    const after = substituteString(before, vars, (name) => unset.push({ name, field: path }));
    if (after === before) return;
    node.value = node.type === 'PLAIN' && WHOLE_REF.test(before) ? coreScalar(after) : after;
  }
}

/** YAML 1.2 core schema resolution of a plain scalar's text, scalars only. */
export function coreScalar(text: string): string | number | boolean | null {
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  return text;
}
