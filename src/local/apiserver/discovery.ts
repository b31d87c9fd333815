// /version and legacy discovery (/api, /apis, /api/v1, /apis/{g}/{v}), derived from the resource
// table. Main resources come before their subresources: client-node takes the first entry whose
// kind matches, so `deployments/status` listed first would send it to the wrong URL.
import { RESOURCE_TYPES, VERBS_ALL, type ResourceType } from '../resources.js';
import { groupVersion } from './paths.js';
import { REVIEW_TYPES } from './reviews.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0',
  gitCommit: '60a317eadfcb839692a68eab88b2096f4d708f4f',
  gitTreeState: 'clean',
  buildDate: '2025-04-23T13:00:00Z',
  goVersion: 'go1.24.2',
  compiler: 'gc',
  platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groups(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (group: string, versions: string[]) => {
    const served = out.get(group) ?? [];
    for (const v of versions) if (!served.includes(v)) served.push(v);
    out.set(group, served);
  };
  for (const r of RESOURCE_TYPES) if (r.group) add(r.group, r.versions);
  for (const r of REVIEW_TYPES) add(r.group, [r.version]);
  return out;
}

function apiGroup(name: string, versions: string[]): object {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups()].map(([name, versions]) => apiGroup(name, versions)),
  };
}

/** GET /apis/{group}: one APIGroup, or undefined when the group is not served. */
export function apiGroupDocument(group: string): object | undefined {
  const versions = groups().get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) } : undefined;
}

const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  log: ['get'],
  exec: ['create', 'get'],
  portforward: ['create', 'get'],
  attach: ['create', 'get'],
};

function subresourceEntry(r: ResourceType, sub: string): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    name: `${r.resource}/${sub}`,
    singularName: '',
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: SUBRESOURCE_VERBS[sub] ?? ['get'],
  };
  if (sub === 'scale') Object.assign(entry, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  if (sub === 'exec') entry.kind = 'PodExecOptions';
  if (sub === 'portforward') entry.kind = 'PodPortForwardOptions';
  if (sub === 'attach') entry.kind = 'PodAttachOptions';
  return entry;
}

function resourceEntry(r: ResourceType): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: VERBS_ALL,
  };
  if (r.shortNames?.length) entry.shortNames = r.shortNames;
  if (r.categories?.length) entry.categories = r.categories;
  entry.storageVersionHash = storageVersionHash(r);
  return entry;
}

// A stable per-resource token (the real server hashes group/version/kind); kubectl only compares it.
function storageVersionHash(r: ResourceType): string {
  let h = 0;
  for (const ch of `${r.group}/${r.versions[0]}/${r.kind}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return Buffer.from(h.toString(16).padStart(8, '0')).toString('base64').slice(0, 11);
}

/** GET /api/v1 or /apis/{g}/{v}: undefined when that group-version is not served. */
export function apiResourceList(group: string, version: string): object | undefined {
  const types = RESOURCE_TYPES.filter((r) => r.group === group && r.versions.includes(version));
  const reviews = REVIEW_TYPES.filter((r) => r.group === group && r.version === version);
  if (types.length === 0 && reviews.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of types) {
    resources.push(resourceEntry(r));
    for (const sub of r.subresources ?? []) resources.push(subresourceEntry(r, sub));
  }
  for (const r of reviews)
    resources.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: false,
      kind: r.kind,
      verbs: ['create'],
    });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

/** Every served group-version, `v1` first: the keys of the OpenAPI v3 index. */
export function servedGroupVersions(): Array<{ group: string; version: string }> {
  const out: Array<{ group: string; version: string }> = [];
  for (const r of RESOURCE_TYPES) {
    for (const version of r.versions) {
      if (!out.some((gv) => gv.group === r.group && gv.version === version))
        out.push({ group: r.group, version });
    }
  }
  return out;
}
