// Request-target handling: Envoy normalises the path at Istio gateways (RFC 3986 dot-segment
// removal) before matching and forwarding, and accepts absolute-form targets.

/** RFC 3986 §5.2.4 remove_dot_segments on the path part; the query is kept as is. */
export function normalizePath(target: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (!path.includes('/.')) return target;
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '..') {
      if (out.length > 0) out.pop();
      if (last) out.push('');
    } else if (seg === '.') {
      if (last) out.push('');
    } else out.push(seg);
  });
  return '/' + out.join('/') + (q === -1 ? '' : target.slice(q));
}

/** Splits an absolute-form target (`http://host/path`) into authority and origin-form path. */
export function splitTarget(
  target: string,
  hostHeader: string | undefined,
): { path: string; authority: string } | undefined {
  if (target.startsWith('/')) return { path: normalizePath(target), authority: hostHeader ?? '' };
  if (!URL.canParse(target)) return undefined;
  const u = new URL(target);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return { path: normalizePath(u.pathname + u.search), authority: u.host };
}
