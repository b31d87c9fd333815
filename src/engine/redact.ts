// Plans and results are printed (dry runs, -o json, CI logs), so every value that may be a
// secret is replaced before a change leaves the engine: container env values (the seed put
// DB_PASSWORD there), Secret data, and exec/command strings are kept, since cutover.yaml holds them.
import type { ObjectChange } from '../routers/types.js';

export const HIDDEN = '(hidden)';

function redactValue(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    // env: [{name, value}] — keep names, hide values.
    if (key === 'env')
      return value.map((e) => (e && typeof e === 'object' && 'value' in e ? { ...e, value: HIDDEN } : e));
    return value.map((v) => redactValue(v));
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k);
  return out;
}

function redactSecret(obj: Record<string, unknown>): Record<string, unknown> {
  const hide = (m: unknown) =>
    m && typeof m === 'object' ? Object.fromEntries(Object.keys(m).map((k) => [k, HIDDEN])) : m;
  return {
    ...obj,
    ...(obj.data ? { data: hide(obj.data) } : {}),
    ...(obj.stringData ? { stringData: hide(obj.stringData) } : {}),
  };
}

export function redactChange(change: ObjectChange): ObjectChange {
  const secret = change.kind === 'Secret';
  const clean = (o: Record<string, unknown> | undefined) => {
    if (!o) return o;
    const r = redactValue(o) as Record<string, unknown>;
    return secret ? redactSecret(r) : r;
  };
  return {
    ...change,
    ...(change.object
      ? { object: clean(change.object as Record<string, unknown>) as ObjectChange['object'] }
      : {}),
    ...(change.patch ? { patch: clean(change.patch) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The text redactor: every text cutover prints (stdout, stderr, -o json) or records (history)
// passes through one Redactor. It knows the values it must never show — the app's per-color
// Secrets (read only for this, see docs/adr/0011-read-secrets-to-redact.md), environment values
// whose names look secret, kubeconfig credentials — and patterns that are secret wherever they
// appear: the userinfo of a URL, a bearer token.

/** Names whose values are secrets: DB_PASSWORD, API_TOKEN, AWS_SECRET_ACCESS_KEY, … */
export const SECRET_NAME = /PASS(WORD|WD)?|TOKEN|SECRET|(^|_)KEY($|_)|API_?KEY|CREDENTIAL|PRIVATE|AUTH/i;
/** Values shorter than this are not redacted by value (they would blank out ordinary words). */
const MIN_SECRET_LENGTH = 4;
const TRIVIAL = new Set(['true', 'false', 'null', 'none', 'test', 'blue', 'green', 'default']);

export class Redactor {
  private readonly values = new Set<string>();
  private readonly shown = new Set<string>();
  private sorted: string[] | undefined;
  private learning: Promise<void> | undefined;

  /**
   * Values still being read (the app's Secrets, read alongside an operation's first requests):
   * output waits for them (`pending`), so nothing is shown before the redactor knows what to hide.
   */
  holdUntil(reading: Promise<unknown>): this {
    const settled = reading.then(
      () => undefined,
      () => undefined,
    );
    this.learning = settled;
    void settled.then(() => {
      if (this.learning === settled) this.learning = undefined;
    });
    return this;
  }

  /** Settles once every value being read is known; undefined when none is being read. */
  get pending(): Promise<void> | undefined {
    return this.learning;
  }

  /**
   * A value printed on purpose, never replaced: the dashboard's own access token, shown once in
   * its URL to the user who started it (as Jupyter does). Nothing else belongs here.
   */
  allow(value: string): this {
    this.shown.add(value);
    return this;
  }

  /** A value never to show. Ignores short and trivial values. */
  add(value: string | undefined): this {
    if (!value) return this;
    const v = value.trim();
    if (v.length < MIN_SECRET_LENGTH || TRIVIAL.has(v.toLowerCase())) return this;
    this.values.add(v);
    // Also the forms it takes in JSON and in base64 (Secret data, annotations).
    const json = JSON.stringify(v).slice(1, -1);
    if (json !== v) this.values.add(json);
    this.values.add(Buffer.from(v).toString('base64'));
    this.sorted = undefined;
    return this;
  }

  /** The values of entries whose names look secret. */
  addSecretLooking(entries: Record<string, string | undefined>): this {
    for (const [name, value] of Object.entries(entries)) if (SECRET_NAME.test(name)) this.add(value);
    return this;
  }

  /** Every value of a Secret's data (base64) and stringData. */
  addSecretData(secret: object | undefined): this {
    const s = (secret ?? {}) as { data?: Record<string, string>; stringData?: Record<string, string> };
    for (const v of Object.values(s.data ?? {})) this.add(Buffer.from(v, 'base64').toString('utf8'));
    for (const v of Object.values(s.stringData ?? {})) this.add(v);
    return this;
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    if (!text) return text;
    this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
    let out = text;
    for (const v of this.sorted) if (out.includes(v)) out = out.split(v).join(HIDDEN);
    return redactPatterns(out, this.shown);
  }

  /** A JSON-able value with every string in it redacted. */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v)])) as T;
    return value;
  }
}

/** Secrets recognisable by their shape: URL userinfo, bearer tokens, JWTs, `NAME=value` of secret-looking names. */
export function redactPatterns(text: string, shown: ReadonlySet<string> = new Set()): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:"'`]+)(?::[^\s/@"'`]*)?@/gi, `$1${HIDDEN}@`)
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${HIDDEN}`)
    .replace(/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, HIDDEN)
    .replace(/\b([A-Za-z_][A-Za-z0-9_]*)=([^\s'"`]{4,})/g, (all, name: string, value: string) =>
      SECRET_NAME.test(name) && !shown.has(value) ? `${name}=${HIDDEN}` : all,
    );
}

/** Output copied into the history: redacted, and at most `chars` long (the ConfigMap is bounded). */
export function forHistory(
  redactor: Redactor | undefined,
  text: string | undefined,
  chars = 2000,
): string | undefined {
  if (text === undefined) return undefined;
  const clean = redactor ? redactor.redact(text) : redactPatterns(text);
  return clean.length > chars ? `${clean.slice(0, chars)}… (${clean.length - chars} more characters)` : clean;
}
