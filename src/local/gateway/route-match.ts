// One HTTPMatchRequest compiled into a predicate, as route.go TranslateRouteMatch turns it into an
// Envoy RouteMatch: a path specifier (prefix "/" when `uri` is absent), header matchers (headers,
// withoutHeaders, and :method/:authority/:scheme) and query-parameter matchers, all ANDed.
import { asRecord } from './config-view.js';
import { headerValue, queryParam, type RequestFacts } from './request-facts.js';
import { compileStringPredicate, parseStringMatch, type StringPredicate } from './string-match.js';

export type UriSpec = { kind: 'prefix' | 'exact' | 'regex'; value: string; ignoreCase: boolean };

export interface CompiledMatch {
  test: (f: RequestFacts) => boolean;
  /** Istio IsCatchAllRoute: prefix "/" or regex ".*", and no header or query-parameter matcher. */
  catchAll: boolean;
  uri: UriSpec;
}

/** Keys Istio drops from `headers` (they have their own match fields). */
const RESERVED_HEADER_KEYS = new Set(['uri', 'scheme', 'method', 'authority']);

type Condition = (f: RequestFacts) => boolean;

function headerCondition(name: string, raw: unknown, invert: boolean): Condition {
  const spec = parseStringMatch(raw);
  const test: StringPredicate | undefined =
    spec.kind === 'present' ? undefined : compileStringPredicate(spec);
  // Istio sets treat_missing_header_as_empty on inverted value matchers (withoutHeaders).
  const missingAsEmpty = invert && test !== undefined;
  return (f) => {
    let v = headerValue(f, name);
    if (v === undefined) {
      if (!missingAsEmpty) return invert;
      v = '';
    }
    return (test === undefined ? true : test(v)) !== invert;
  };
}

function queryCondition(name: string, raw: unknown): Condition {
  const spec = parseStringMatch(raw);
  const test = spec.kind === 'present' ? undefined : compileStringPredicate(spec);
  return (f) => {
    const v = queryParam(f, name);
    return v !== undefined && (test === undefined || test(v));
  };
}

function uriSpec(m: Record<string, unknown>): UriSpec {
  const ignoreCase = m.ignoreUriCase === true;
  const spec = m.uri === undefined ? undefined : parseStringMatch(m.uri);
  if (!spec || spec.kind === 'present') return { kind: 'prefix', value: '/', ignoreCase };
  return { kind: spec.kind, value: spec.value, ignoreCase };
}

function uriCondition(uri: UriSpec): Condition | undefined {
  if (uri.kind === 'prefix' && uri.value === '/') return (f) => f.path.startsWith('/');
  // Envoy: prefix applies to :path as is; exact (path) and regex apply to the path without query.
  if (uri.kind === 'regex') {
    const test = compileStringPredicate({ kind: 'regex', value: uri.value });
    return (f) => test(f.pathOnly);
  }
  const test = compileStringPredicate({ kind: uri.kind, value: uri.value }, uri.ignoreCase);
  return uri.kind === 'prefix' ? (f) => test(f.path) : (f) => test(f.pathOnly);
}

/**
 * Compiles a match block. `onClaim` is told about `@request.auth.claims.*` header keys, which need
 * JWT authentication the local gateway does not have: such a block never matches, as in Envoy
 * without a verified token. Throws on an invalid RE2 pattern.
 */
export function compileMatch(raw: unknown, onClaim: (key: string) => void): CompiledMatch {
  const m = asRecord(raw) ?? {};
  const uri = uriSpec(m);
  const conds: Condition[] = [];
  let headerCount = 0;
  for (const [field, invert] of [
    ['headers', false],
    ['withoutHeaders', true],
  ] as const) {
    for (const [key, sm] of Object.entries(asRecord(m[field]) ?? {})) {
      const name = key.toLowerCase();
      if (RESERVED_HEADER_KEYS.has(name)) continue;
      headerCount++;
      if (name.startsWith('@request.auth.claims')) {
        onClaim(`${field}.${key}`);
        conds.push(() => false);
        continue;
      }
      conds.push(headerCondition(name, sm, invert));
    }
  }
  for (const [field, pseudo] of [
    ['method', ':method'],
    ['authority', ':authority'],
    ['scheme', ':scheme'],
  ] as const) {
    if (m[field] === undefined) continue;
    headerCount++;
    conds.push(headerCondition(pseudo, m[field], false));
  }
  const query = Object.entries(asRecord(m.queryParams) ?? {});
  for (const [name, sm] of query) conds.push(queryCondition(name, sm));
  const uriCond = uriCondition(uri);
  if (uriCond) conds.unshift(uriCond);
  const pathCatchAll =
    (uri.kind === 'prefix' && uri.value === '/') || (uri.kind === 'regex' && uri.value === '.*');
  return { test: allOf(conds), catchAll: pathCatchAll && headerCount === 0 && query.length === 0, uri };
}

function allOf(conds: Condition[]): (f: RequestFacts) => boolean {
  if (conds.length === 1) return conds[0]!;
  if (conds.length === 2) {
    const [a, b] = conds as [Condition, Condition];
    return (f) => a(f) && b(f);
  }
  return (f) => {
    for (const c of conds) if (!c(f)) return false;
    return true;
  };
}
