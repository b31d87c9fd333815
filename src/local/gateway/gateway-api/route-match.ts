// One HTTPRouteMatch compiled into a predicate and a precedence key, following the Gateway API
// (apis/v1/httproute_types.go, HTTPRouteRule.matches): across all rules of all routes attached to
// a listener and hostname, precedence goes to an Exact path, then the longest PathPrefix, then a
// method match, then the most header matches, then the most query-parameter matches; ties go to
// the oldest route, then `namespace/name` alphabetically, then rule order and match order.
// RegularExpression path precedence is implementation-specific: here after every Exact and
// PathPrefix match, longer patterns first (what Envoy-based implementations such as Istio do).
// Regexes are RE2 and must match the whole value, as in Envoy's safe_regex.
import { asArray, asRecord } from '../config-view.js';
import { headerValue, queryParam, type RequestFacts } from '../request-facts.js';
import { compileRe2 } from '../string-match.js';

export type PathType = 'Exact' | 'PathPrefix' | 'RegularExpression';

export interface MatchPrecedence {
  pathType: PathType;
  /** Characters of the path value (the prefix without a trailing slash counts as written). */
  pathLength: number;
  method: boolean;
  headers: number;
  queryParams: number;
}

export interface CompiledHttpMatch {
  test: (f: RequestFacts) => boolean;
  precedence: MatchPrecedence;
  /** `path.value` of a PathPrefix or Exact match: a URLRewrite would replace it. */
  pathValue: string;
}

type Condition = (f: RequestFacts) => boolean;

/** PathPrefix is element-wise: `/abc` matches `/abc`, `/abc/` and `/abc/def`, never `/abcd`. */
export function pathPrefixMatches(prefix: string, path: string): boolean {
  const p = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (p === '/') return path.startsWith('/');
  return path === p || (path.startsWith(p) && path.charCodeAt(p.length) === 47); /* '/' */
}

function pathCondition(type: PathType, value: string): Condition {
  if (type === 'Exact') return (f) => f.pathOnly === value;
  if (type === 'RegularExpression') {
    const re = compileRe2(value);
    return (f) => re.matches(f.pathOnly);
  }
  if (value === '/') return () => true;
  return (f) => pathPrefixMatches(value, f.pathOnly);
}

function valueCondition(type: unknown, value: string): (v: string) => boolean {
  if (type === 'RegularExpression') {
    const re = compileRe2(value);
    return (v) => re.matches(v);
  }
  return (v) => v === value;
}

/** Entries with an equivalent name after the first are ignored (spec: only the first MUST be considered). */
function firstByName(list: unknown[], caseInsensitive: boolean): Record<string, unknown>[] {
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const raw of list) {
    const r = asRecord(raw);
    if (!r || typeof r.name !== 'string' || typeof r.value !== 'string') continue;
    const key = caseInsensitive ? r.name.toLowerCase() : r.name;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

/** Throws (RE2 syntax error) on a RegularExpression the gateway cannot compile. */
export function compileHttpMatch(raw: unknown): CompiledHttpMatch {
  const m = asRecord(raw) ?? {};
  const path = asRecord(m.path) ?? {};
  const pathType: PathType =
    path.type === 'Exact' || path.type === 'RegularExpression' ? path.type : 'PathPrefix';
  const pathValue = typeof path.value === 'string' ? path.value : '/';
  const conds: Condition[] = [pathCondition(pathType, pathValue)];
  const method = typeof m.method === 'string' ? m.method : undefined;
  if (method) conds.push((f) => f.method === method);
  const headers = firstByName(asArray(m.headers), true);
  for (const h of headers) {
    const name = (h.name as string).toLowerCase();
    const test = valueCondition(h.type, h.value as string);
    conds.push((f) => {
      const v = headerValue(f, name);
      return v !== undefined && test(v);
    });
  }
  const query = firstByName(asArray(m.queryParams), false);
  for (const q of query) {
    const name = q.name as string;
    const test = valueCondition(q.type, q.value as string);
    conds.push((f) => {
      const v = queryParam(f, name);
      return v !== undefined && test(v);
    });
  }
  return {
    test: (f) => conds.every((c) => c(f)),
    precedence: {
      pathType,
      pathLength: pathValue.length,
      method: method !== undefined,
      headers: headers.length,
      queryParams: query.length,
    },
    pathValue,
  };
}

const PATH_RANK: Record<PathType, number> = { Exact: 0, PathPrefix: 1, RegularExpression: 2 };

/** Negative when `a` takes precedence over `b` (only the match itself; route order breaks ties). */
export function compareMatchPrecedence(a: MatchPrecedence, b: MatchPrecedence): number {
  if (a.pathType !== b.pathType) return PATH_RANK[a.pathType] - PATH_RANK[b.pathType];
  if (a.pathLength !== b.pathLength) return b.pathLength - a.pathLength;
  if (a.method !== b.method) return a.method ? -1 : 1;
  if (a.headers !== b.headers) return b.headers - a.headers;
  return b.queryParams - a.queryParams;
}
