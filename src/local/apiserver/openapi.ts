// The OpenAPI v3 kubectl needs (reference §2.3): an index of group-versions, and per group-version
// a document holding PATCH operations, each with x-kubernetes-group-version-kind and the
// fieldValidation parameter, and the schemas of every served kind (openapi-schemas.ts: what
// `kubectl explain` reads). The operations carry no requestBody on purpose: kubectl then builds
// strategic merge patches from its compiled-in types instead of from these schemas.
import { RESOURCE_TYPES, type ResourceType } from '../resources.js';
import { servedGroupVersions } from './discovery.js';
import { componentSchemas } from './openapi-schemas.js';

// The documents only change with the resource table, so one hash per process is stable.
const HASH = (() => {
  let h = 0;
  for (const r of RESOURCE_TYPES) for (const ch of JSON.stringify(r)) h = (h * 33 + ch.charCodeAt(0)) >>> 0;
  return h.toString(16).toUpperCase().padStart(16, '0');
})();

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiIndex(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of servedGroupVersions()) {
    const p = gvPath(group, version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${HASH}` };
  }
  return { paths };
}

function patchOperation(r: ResourceType, version: string, sub?: string): object {
  const gvk =
    sub === 'scale'
      ? { group: 'autoscaling', version: 'v1', kind: 'Scale' }
      : { group: r.group, version, kind: r.kind };
  return {
    patch: {
      description: `partially update the specified ${r.kind}${sub ? ` ${sub}` : ''}`,
      operationId: `patch${r.namespaced ? 'Namespaced' : ''}${r.kind}${sub ? sub[0]!.toUpperCase() + sub.slice(1) : ''}`,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': gvk,
      parameters: [
        { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
      ],
      responses: { '200': { description: 'OK' }, '201': { description: 'Created' } },
    },
  };
}

/** GET /openapi/v3/{api/v1 | apis/g/v}: undefined when that group-version is not served. */
export function openApiDocument(group: string, version: string): object | undefined {
  const types = RESOURCE_TYPES.filter((r) => r.group === group && r.versions.includes(version));
  if (types.length === 0) return undefined;
  const paths: Record<string, object> = {};
  const prefix = `/${gvPath(group, version)}`;
  for (const r of types) {
    const item = r.namespaced
      ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}`
      : `${prefix}/${r.resource}/{name}`;
    paths[item] = patchOperation(r, version);
    for (const sub of r.subresources ?? []) {
      if (sub === 'status' || sub === 'scale') paths[`${item}/${sub}`] = patchOperation(r, version, sub);
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.0' },
    paths,
    components: { schemas: componentSchemas(types, version) },
  };
}
