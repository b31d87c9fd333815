// Istio StringMatch (`exact` | `prefix` | `regex`) compiled into predicates, with Envoy's
// semantics: regex is RE2 and must match the WHOLE value (Envoy safe_regex), never a substring.
// Regexes are compiled once and cached by pattern across routing-table versions, because the
// table is recompiled on every propagated change.
import { RE2JS } from 're2js';

export type StringPredicate = (value: string) => boolean;

/** The parsed form of one StringMatch; `present` stands for `{}` and `regex: "*"` (presence checks). */
export type StringMatchSpec =
  | { kind: 'exact'; value: string }
  | { kind: 'prefix'; value: string }
  | { kind: 'regex'; value: string }
  | { kind: 'present' };

const regexCache = new Map<string, RE2JS>();
const REGEX_CACHE_LIMIT = 2000;

/** Compiles an RE2 pattern; throws RE2JSSyntaxException (caught by the compiler, which logs it) on bad syntax. */
export function compileRe2(pattern: string): RE2JS {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = RE2JS.compile(pattern);
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/**
 * Reads a StringMatch object as Istio does (route.go canBeConvertedToPresentMatch): a missing or
 * empty match, and the non-RE2 `regex: "*"`, are presence checks.
 */
export function parseStringMatch(raw: unknown): StringMatchSpec {
  if (raw === null || typeof raw !== 'object') return { kind: 'present' };
  const m = raw as Record<string, unknown>;
  if (typeof m.exact === 'string') return { kind: 'exact', value: m.exact };
  if (typeof m.prefix === 'string') return { kind: 'prefix', value: m.prefix };
  if (typeof m.regex === 'string')
    return m.regex === '*' ? { kind: 'present' } : { kind: 'regex', value: m.regex };
  return { kind: 'present' };
}

/** A predicate over a present value. `ignoreCase` applies to exact and prefix only (ignoreUriCase). */
export function compileStringPredicate(spec: StringMatchSpec, ignoreCase = false): StringPredicate {
  switch (spec.kind) {
    case 'present':
      return () => true;
    case 'exact': {
      if (!ignoreCase) {
        const want = spec.value;
        return (v) => v === want;
      }
      const want = spec.value.toLowerCase();
      return (v) => v.length === want.length && v.toLowerCase() === want;
    }
    case 'prefix': {
      if (!ignoreCase) {
        const want = spec.value;
        return (v) => v.startsWith(want);
      }
      const want = spec.value.toLowerCase();
      return (v) => v.length >= want.length && v.slice(0, want.length).toLowerCase() === want;
    }
    case 'regex': {
      const re = compileRe2(spec.value);
      return (v) => re.matches(v);
    }
  }
}
