// VirtualService `headers.request|response.{set,add,remove}` as Envoy applies them (route.go
// TranslateHeadersOperations → Envoy HeaderParser): within one parser, removals first, then the
// `set` entries (sorted by key, overwrite), then the `add` entries (sorted by key, append).
// `host`/`:authority` in set/add rewrite the authority instead; pseudo-headers are never touched.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { asRecord, asStringMap } from './config-view.js';

export interface HeaderParser {
  remove: string[];
  add: Array<{ key: string; value: string; append: boolean }>;
}

export interface HeaderOps {
  request?: HeaderParser;
  response?: HeaderParser;
  /** From request.set/add of `host` or `:authority` (set wins). */
  authority?: string;
}

const isAuthority = (k: string): boolean => k === 'host' || k === ':authority';
const isInternal = (k: string): boolean => k.startsWith(':') || k === 'host';

/** Why a header name/value cannot be sent, or undefined when it can. */
function invalidHeader(key: string, value: string): string | undefined {
  for (const check of [() => validateHeaderName(key), () => validateHeaderValue(key, value)]) {
    try {
      check();
    } catch (err) {
      return (err as Error).message;
    }
  }
  return undefined;
}

export type InvalidHeader = (message: string) => void;

function parser(raw: unknown, onInvalid: InvalidHeader): { parser?: HeaderParser; authority?: string } {
  const r = asRecord(raw);
  if (!r) return {};
  const valid = (e: { key: string; value: string }): boolean => {
    const why = invalidHeader(e.key, e.value);
    if (why) onInvalid(`header ${e.key}: ${why}`);
    return why === undefined;
  };
  const entries = (v: unknown, append: boolean): HeaderParser['add'] =>
    Object.entries(asStringMap(v))
      .map(([key, value]) => ({ key: key.toLowerCase(), value, append }))
      .filter((e) => !isInternal(e.key) && valid(e))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const find = (v: unknown): string | undefined =>
    Object.entries(asStringMap(v)).find(([k]) => isAuthority(k.toLowerCase()))?.[1];
  const remove = (Array.isArray(r.remove) ? r.remove : [])
    .filter((k): k is string => typeof k === 'string')
    .map((k) => k.toLowerCase())
    .filter((k) => !isInternal(k));
  const add = [...entries(r.set, false), ...entries(r.add, true)];
  const authority = find(r.set) ?? find(r.add);
  return { parser: remove.length || add.length ? { remove, add } : undefined, authority };
}

/** `onInvalid` hears of names or values that cannot go on the wire; those operations are dropped. */
export function compileHeaderOps(
  raw: unknown,
  onInvalid: InvalidHeader = () => undefined,
): HeaderOps | undefined {
  const r = asRecord(raw);
  if (!r) return undefined;
  const req = parser(r.request, onInvalid);
  const res = parser(r.response, onInvalid);
  if (!req.parser && !res.parser && req.authority === undefined) return undefined;
  return { request: req.parser, response: res.parser, authority: req.authority };
}

/** Single destination: Istio appends the destination's operations to the route's (one parser). */
export function mergeParsers(
  a: HeaderParser | undefined,
  b: HeaderParser | undefined,
): HeaderParser | undefined {
  if (!a) return b;
  if (!b) return a;
  return { remove: [...a.remove, ...b.remove], add: [...a.add, ...b.add] };
}

export function removeHeader(headers: string[], name: string): void {
  for (let i = headers.length - 2; i >= 0; i -= 2) {
    const k = headers[i]!;
    if (k.length === name.length && k.toLowerCase() === name) headers.splice(i, 2);
  }
}

/** Applies a parser to a flat [name, value, name, value…] list in place. */
export function applyParser(headers: string[], p: HeaderParser | undefined): void {
  if (!p) return;
  for (const name of p.remove) removeHeader(headers, name);
  for (const e of p.add) {
    if (!e.append) removeHeader(headers, e.key);
    headers.push(e.key, e.value);
  }
}
