// JSON expectations of smoke tests, a small jq-like subset: `.path.to[0].field OP literal`,
// OP one of == != > >= < <=, literal JSON (true, 3, "v2", null); a bare path means "is truthy".
// Parsed strictly: an expectation we cannot read is a config error, never a silent pass.
import { InputError } from '../errors.js';

export interface Expectation {
  source: string;
  path: Array<string | number>;
  op: '==' | '!=' | '>' | '>=' | '<' | '<=' | 'truthy';
  value?: unknown;
}

const PATTERN = /^\s*(\.[^\s=!<>]*)\s*(?:(==|!=|>=|<=|>|<)\s*(.+?))?\s*$/;

export function parseExpectation(source: string): Expectation {
  const m = PATTERN.exec(source);
  if (!m)
    throw new InputError(`cannot read the expectation \`${source}\``, {
      remedy: 'write it like `.ready == true`',
    });
  const path = parsePath(m[1]!, source);
  if (!m[2]) return { source, path, op: 'truthy' };
  let value: unknown;
  try {
    value = JSON.parse(m[3]!);
  } catch (err) {
    throw new InputError(`expectation \`${source}\`: ${m[3]} is not a JSON value`, {
      cause: err,
      remedy: 'quote strings: `.version == "v2"`',
    });
  }
  return { source, path, op: m[2] as Expectation['op'], value };
}

function parsePath(text: string, source: string): Array<string | number> {
  if (text === '.') return [];
  const parts: Array<string | number> = [];
  const re = /\.([A-Za-z_][\w-]*)|\[(\d+)\]|\.?\["([^"]+)"\]/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(text))) {
    parts.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
    at = re.lastIndex;
  }
  if (at !== text.length) throw new InputError(`expectation \`${source}\`: cannot read the path ${text}`);
  return parts;
}

function lookup(doc: unknown, path: Array<string | number>): unknown {
  let cur = doc;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** Returns undefined when met, else the reason it is not. */
export function checkExpectation(e: Expectation, doc: unknown): string | undefined {
  const actual = lookup(doc, e.path);
  const shown = JSON.stringify(actual) ?? 'nothing';
  const ok = compare(e, actual);
  return ok ? undefined : `expected ${e.source}, got ${shown}`;
}

function compare(e: Expectation, actual: unknown): boolean {
  const same = JSON.stringify(actual) === JSON.stringify(e.value);
  switch (e.op) {
    case 'truthy':
      return actual !== undefined && actual !== null && actual !== false;
    case '==':
      return same;
    case '!=':
      return !same;
    default:
      if (typeof actual !== 'number' || typeof e.value !== 'number') return false;
      if (e.op === '>') return actual > e.value;
      if (e.op === '>=') return actual >= e.value;
      if (e.op === '<') return actual < e.value;
      return actual <= e.value;
  }
}
