// URL shapes of the Kubernetes REST API (reference §2.4):
//   /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
//   /apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]
import { findResource, type ResourceType } from '../resources.js';
import { badRequest, pathNotFound } from '../store/api-error.js';

export interface ResourceRoute {
  type: ResourceType;
  group: string;
  version: string;
  /** Set for namespaced resources addressed inside a namespace; undefined for all namespaces. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

export type ParsedPath =
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'resource'; route: ResourceRoute }
  | { kind: 'unknown' };

/** Splits a URL path into decoded segments; a malformed %-escape is a 400, `.`/`..` segments a 404. */
export function pathSegments(pathname: string): string[] {
  const raw = pathname.split('/').filter((s) => s !== '');
  return raw.map((s) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(s);
    } catch {
      throw badRequest(`invalid URL escape in path segment "${s.slice(0, 64)}"`);
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/')) throw pathNotFound();
    return decoded;
  });
}

export function parseApiPath(segments: string[]): ParsedPath {
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    group = segments[1] ?? '';
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return { kind: 'unknown' };
  }
  if (!version) return { kind: 'unknown' };
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  const route = resourceRoute(group, version, rest);
  return route ? { kind: 'resource', route } : { kind: 'unknown' };
}

function resourceRoute(group: string, version: string, rest: string[]): ResourceRoute | undefined {
  // /namespaces/{ns}/{resource}/… addresses a namespaced resource, unless the third segment is a
  // subresource of the namespace itself (/namespaces/{name}/status).
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    group === '' &&
    ['status', 'finalize'].includes(rest[2]!)
  ) {
    return served(group, version, {
      resource: 'namespaces',
      name: rest[1],
      subresource: rest[2],
      tail: rest.slice(3),
    });
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const route = served(group, version, {
      resource: rest[2]!,
      name: rest[3],
      subresource: rest[4],
      tail: rest.slice(5),
    });
    if (!route || !route.type.namespaced) return undefined;
    return { ...route, namespace: rest[1] };
  }
  const route = served(group, version, {
    resource: rest[0]!,
    name: rest[1],
    subresource: rest[2],
    tail: rest.slice(3),
  });
  // A namespaced resource outside a namespace is only a collection (list/watch across namespaces).
  if (!route || (route.type.namespaced && route.name !== undefined)) return undefined;
  return route;
}

function served(
  group: string,
  version: string,
  p: { resource: string; name?: string; subresource?: string; tail: string[] },
): ResourceRoute | undefined {
  if (p.tail.length > 0) return undefined;
  const type = findResource(group, p.resource);
  if (!type || !type.versions.includes(version)) return undefined;
  if (p.subresource !== undefined && !(type.subresources ?? []).includes(p.subresource)) return undefined;
  return { type, group, version, name: p.name, subresource: p.subresource };
}

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
