// Listener and route hostnames (Gateway API Hostname: a DNS name, or `*.` followed by one).
// A route attaches to a listener for the intersection of their hostnames; precedence among the
// resulting domains is the most specific first (exact, then the longest wildcard suffix, then `*`).

/** `*.example.com` covers `a.example.com` and `a.b.example.com`, never `example.com`. */
export function wildcardCovers(wildcard: string, host: string): boolean {
  return wildcard.startsWith('*.') && host.length > wildcard.length - 1 && host.endsWith(wildcard.slice(1));
}

/** The hostnames a route serves on a listener; empty when none intersect. `*` means any host. */
export function intersectHostnames(listener: string | undefined, route: string[]): string[] {
  if (!listener) return route.length ? route : ['*'];
  if (route.length === 0) return [listener];
  const out: string[] = [];
  for (const r of route) {
    let pick: string | undefined;
    if (r === listener) pick = r;
    else if (wildcardCovers(listener, r)) pick = r;
    else if (wildcardCovers(r, listener)) pick = listener;
    else if (r.startsWith('*.') && listener.startsWith('*.'))
      pick = wildcardCovers(r, listener.slice(2))
        ? listener
        : wildcardCovers(listener, r.slice(2))
          ? r
          : undefined;
    if (pick && !out.includes(pick)) out.push(pick);
  }
  return out;
}

/** Domains that also apply to requests for `domain`, most specific first (the domain itself excluded). */
export function broaderDomains(domain: string, all: Iterable<string>): string[] {
  const out: string[] = [];
  for (const d of all) {
    if (d === domain) continue;
    if (
      d === '*' ||
      (d.startsWith('*.') &&
        (wildcardCovers(d, domain) || (domain.startsWith('*.') && wildcardCovers(d, domain.slice(2)))))
    )
      out.push(d);
  }
  // Longer wildcards are more specific; `*` is last.
  return out.sort((a, b) => (a === '*' ? 1 : b === '*' ? -1 : b.length - a.length));
}
