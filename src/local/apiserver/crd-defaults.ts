// Structural-schema defaulting of custom resources, as the real API server applies a CRD's
// `default` values on every create and update: a missing property whose schema has a default gets
// a copy of it, at every depth (defaults inside array items apply to each item). Gateway API relies
// on it: an HTTPRoute rule without `matches` is stored with `[{path: {type: PathPrefix, value: /}}]`
// and a backendRef without `weight` with `weight: 1`, and clients read those values back.
import type { ResourceType } from '../resources.js';
import type { KubeObject } from '../store/types.js';
import { crdSchema, type JsonSchema } from './validation/official-schemas.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function applySchemaDefaults(value: unknown, schema: JsonSchema | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) applySchemaDefaults(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    if (value[key] === undefined && sub.default !== undefined) value[key] = structuredClone(sub.default);
    applySchemaDefaults(value[key], sub);
  }
  if (isObject(schema.additionalProperties))
    for (const v of Object.values(value)) applySchemaDefaults(v, schema.additionalProperties);
}

/** Fills in the CRD schema's defaults (spec and status) of a custom resource, in place. */
export function applyCrdDefaults(resourceType: ResourceType, obj: KubeObject): void {
  if (!resourceType.custom) return;
  const version = obj.apiVersion.split('/').pop() ?? resourceType.versions[0]!;
  const crd = crdSchema(resourceType.group, version, resourceType.kind);
  if (!crd) return;
  for (const key of ['spec', 'status'])
    if (isObject(obj[key])) applySchemaDefaults(obj[key], crd.schema.properties?.[key]);
}
