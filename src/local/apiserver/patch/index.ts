// Applies a PATCH body to the live object by its Content-Type, as the real API server does
// (k8s.io/apiserver/pkg/endpoints/handlers/patch.go). Pure: no store access. The caller checks
// existence (404 for every type but apply), preconditions and validation afterwards; a
// metadata.resourceVersion set by the patch stays in the result so the store's optimistic
// concurrency check sees it.
import type { ResourceType } from '../../resources.js';
import {
  ACCEPTED_PATCH_TYPES,
  badRequest,
  notFound,
  statusError,
  unsupportedMediaType,
  invalid,
} from '../../store/api-error.js';
import type { KubeObject } from '../../store/types.js';
import { ApplyDecodeError, decodeApplyBody, serverSideApply } from './apply-patch.js';
import { JsonPatchApplyError, JsonPatchDecodeError, applyJsonPatch, decodeJsonPatch } from './json-patch.js';
import { clone, isMap, parseJson } from './json-value.js';
import { mergePatch } from './merge-patch.js';
import { StrategicPatchError, strategicMergePatch } from './strategic-merge-patch.js';

export { parseYamlDocument, YamlDocumentError, MAX_NESTING_DEPTH } from './yaml-document.js';

export interface PatchOptions {
  /** Required for server-side apply (`?fieldManager=`). */
  fieldManager?: string;
  /** `?force=true`: an apply takes over fields other managers own instead of a 409 conflict. */
  force?: boolean;
  /** Clock for managedFields times. */
  now?: Date;
}

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** The media types a PATCH to this resource accepts: custom resources take no strategic merge patch. */
export function acceptedPatchTypes(resourceType: ResourceType): string[] {
  return resourceType.custom
    ? ACCEPTED_PATCH_TYPES.filter((t) => t !== PATCH_TYPES.strategic)
    : [...ACCEPTED_PATCH_TYPES];
}

/** `application/merge-patch+json; charset=utf-8` → `application/merge-patch+json`. */
export function patchMediaType(contentType: string | undefined): string {
  const raw = contentType ?? '';
  const i = raw.indexOf(';');
  return (i > 0 ? raw.slice(0, i) : raw).trim().toLowerCase();
}

export function applyPatch(
  resourceType: ResourceType,
  current: KubeObject | undefined,
  body: Buffer | string,
  contentType: string,
  opts: PatchOptions = {},
): KubeObject {
  const type = patchMediaType(contentType);
  if (!acceptedPatchTypes(resourceType).includes(type))
    throw unsupportedMediaType(type, acceptedPatchTypes(resourceType));
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (type === PATCH_TYPES.apply) return applyServerSide(resourceType, current, text, opts);
  if (!current) throw notFound(resourceType, '');
  if (type === PATCH_TYPES.json) return jsonPatch(current, text);
  const patch = decodeJsonBody(text);
  if (type === PATCH_TYPES.merge) return asObject(mergePatch(current, patch), current);
  return strategicPatch(resourceType, current, patch);
}

function decodeJsonBody(text: string): unknown {
  try {
    return parseJson(text);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

function jsonPatch(current: KubeObject, text: string): KubeObject {
  let ops;
  try {
    ops = decodeJsonPatch(decodeJsonBody(text));
  } catch (err) {
    if (err instanceof JsonPatchDecodeError) throw badRequest(err.message);
    throw err;
  }
  try {
    return asObject(applyJsonPatch(current, ops), current);
  } catch (err) {
    // NewGenericServerResponse(422, …, isUnexpectedResponse=false): the patch error itself is
    // dropped, so kubectl prints only "The request is invalid", as against a real cluster.
    if (err instanceof JsonPatchApplyError)
      throw statusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
    throw err;
  }
}

function strategicPatch(resourceType: ResourceType, current: KubeObject, patch: unknown): KubeObject {
  try {
    return asObject(strategicMergePatch(resourceType.kind, clone(current), patch), current);
  } catch (err) {
    if (err instanceof StrategicPatchError) throw badRequest(err.message);
    throw err;
  }
}

function applyServerSide(
  resourceType: ResourceType,
  current: KubeObject | undefined,
  text: string,
  opts: PatchOptions,
): KubeObject {
  if (!opts.fieldManager) {
    throw invalid({ group: 'meta.k8s.io', resource: 'PatchOptions', kind: 'PatchOptions' }, '', [
      {
        reason: 'FieldValueRequired',
        message: 'Required value: is required for apply patch',
        field: 'fieldManager',
      },
    ]);
  }
  let config;
  try {
    config = decodeApplyBody(text);
  } catch (err) {
    if (err instanceof ApplyDecodeError) throw badRequest(err.message);
    throw err;
  }
  checkApplyKind(resourceType, config);
  return serverSideApply(
    resourceType.kind,
    current,
    config,
    opts.fieldManager,
    opts.now ?? new Date(),
    opts.force ?? false,
  );
}

function checkApplyKind(resourceType: ResourceType, config: Record<string, unknown>): void {
  if (typeof config.apiVersion !== 'string' || config.apiVersion === '')
    throw badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(config)}'`.slice(0, 1024));
  if (typeof config.kind !== 'string' || config.kind === '')
    throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(config)}'`.slice(0, 1024));
  if (config.kind !== resourceType.kind) {
    throw badRequest(
      `the kind in the body (${config.kind}) does not match the kind of the resource (${resourceType.kind})`,
    );
  }
}

/**
 * A patch may not turn the object into something else: a non-object result or lost metadata is a
 * 422 on the real server (the patched JSON fails to decode into the type).
 */
function asObject(result: unknown, current: KubeObject): KubeObject {
  if (!isMap(result)) {
    throw statusError(
      422,
      'Invalid',
      `patch: Invalid value: "${JSON.stringify(result)}": the patched document is not an object`.slice(
        0,
        2048,
      ),
    );
  }
  if (result.metadata !== undefined && !isMap(result.metadata)) {
    throw statusError(422, 'Invalid', 'patch: Invalid value: "metadata": metadata must be an object');
  }
  const obj = result as KubeObject;
  if (!obj.metadata) obj.metadata = { name: current.metadata.name };
  return obj;
}
