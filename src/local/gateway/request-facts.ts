// What route matching reads from a request, gathered once per request without copying headers.
// Header values are rebuilt from rawHeaders the way Envoy sees them: repeated headers joined with
// ',' (no space; Node's req.headers would use ', '), repeated cookie headers joined with '; '.
import type { IncomingMessage } from 'node:http';

export interface RequestFacts {
  method: string;
  /** The Host header as sent (Envoy's :authority, port included). */
  authority: string;
  /** Lower-cased host without port: what virtual-host lookup uses (IgnorePortInHostMatching). */
  host: string;
  /** :path after normalisation, query included. */
  path: string;
  /** :path without query string and fragment. */
  pathOnly: string;
  /** Text after the first '?', '' when there is none. */
  query: string;
  rawHeaders: string[];
  /** First value of each query parameter, parsed on first use. */
  queryParams?: Map<string, string>;
}

export function requestFacts(
  req: IncomingMessage,
  path: string,
  authority: string,
  host: string,
): RequestFacts {
  const q = path.indexOf('?');
  let pathOnly = q === -1 ? path : path.slice(0, q);
  const hash = pathOnly.indexOf('#');
  if (hash !== -1) pathOnly = pathOnly.slice(0, hash);
  return {
    method: req.method ?? 'GET',
    authority,
    host,
    path,
    pathOnly,
    query: q === -1 ? '' : path.slice(q + 1),
    rawHeaders: req.rawHeaders,
  };
}

/** All values of a header as Envoy's matcher sees them, or undefined when absent. */
export function headerValue(f: RequestFacts, name: string): string | undefined {
  switch (name) {
    case ':method':
      return f.method;
    case ':authority':
    case 'host':
      return f.authority === '' ? undefined : f.authority;
    case ':path':
      return f.path;
    case ':scheme':
      return 'http';
  }
  const raw = f.rawHeaders;
  let out: string | undefined;
  const sep = name === 'cookie' ? '; ' : ',';
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name)
      out = out === undefined ? raw[i + 1]! : out + sep + raw[i + 1]!;
  }
  return out;
}

/**
 * Envoy's QueryParameterMatcher reads the first value of a parameter, not percent-decoded;
 * `?k` (no '=') has the value ''.
 */
export function queryParam(f: RequestFacts, name: string): string | undefined {
  if (f.queryParams === undefined) {
    const params = new Map<string, string>();
    if (f.query !== '') {
      for (const part of f.query.split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        const key = eq === -1 ? part : part.slice(0, eq);
        if (!params.has(key)) params.set(key, eq === -1 ? '' : part.slice(eq + 1));
      }
    }
    f.queryParams = params;
  }
  return f.queryParams.get(name);
}
