// Host name semantics of Istio (pkg/config/host/name.go) and Envoy's virtual-host lookup.
// Hosts are compared lower-cased; a leading `*` is a wildcard that needs at least one character.

export function isWildcard(h: string): boolean {
  return h.startsWith('*');
}

/** Istio Name.SubsetOf: every host `a` covers is also covered by `b`. */
export function hostSubsetOf(a: string, b: string): boolean {
  if (isWildcard(a)) return isWildcard(b) && a.slice(1).endsWith(b.slice(1));
  if (isWildcard(b)) return a.endsWith(b.slice(1));
  return a === b;
}

/** Istio Names.Intersection: for each overlapping pair, the more specific of the two, deduplicated. */
export function intersectHosts(serverHosts: string[], vsHosts: string[]): string[] {
  const out: string[] = [];
  for (const s of serverHosts) {
    for (const v of vsHosts) {
      const pick = hostSubsetOf(s, v) ? s : hostSubsetOf(v, s) ? v : undefined;
      if (pick !== undefined && !out.includes(pick)) out.push(pick);
    }
  }
  return out;
}

/** Strips `:port` from a Host header (IPv6 literals keep their brackets) and lower-cases it. */
export function hostWithoutPort(authority: string): string {
  let end = authority.length;
  const colon = authority.lastIndexOf(':');
  if (colon !== -1 && authority.indexOf(']', colon) === -1) end = colon;
  return authority.slice(0, end).toLowerCase();
}

/** Envoy's domain lookup: exact, then longest suffix wildcard, then longest prefix wildcard, then `*`. */
export class DomainIndex<T> {
  private readonly exact = new Map<string, T>();
  private suffixes: Array<[string, T]> = [];
  private prefixes: Array<[string, T]> = [];
  private any: T | undefined;

  add(domain: string, value: T): void {
    if (domain === '*') this.any = value;
    else if (domain.startsWith('*')) this.suffixes.push([domain.slice(1), value]);
    else if (domain.endsWith('*')) this.prefixes.push([domain.slice(0, -1), value]);
    else this.exact.set(domain, value);
  }

  /** Call once after the last add(). */
  seal(): void {
    const longestFirst = (a: [string, T], b: [string, T]): number => b[0].length - a[0].length;
    this.suffixes.sort(longestFirst);
    this.prefixes.sort(longestFirst);
  }

  get size(): number {
    return this.exact.size + this.suffixes.length + this.prefixes.length + (this.any === undefined ? 0 : 1);
  }

  lookup(host: string): T | undefined {
    const hit = this.exact.get(host);
    if (hit !== undefined) return hit;
    for (const [suffix, v] of this.suffixes)
      if (host.length > suffix.length && host.endsWith(suffix)) return v;
    for (const [prefix, v] of this.prefixes)
      if (host.length > prefix.length && host.startsWith(prefix)) return v;
    return this.any;
  }
}
