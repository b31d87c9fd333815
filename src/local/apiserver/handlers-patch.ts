// PATCH with the four content types (the patch module does the merging), including server-side
// apply as an upsert: `kubectl apply --server-side` sends no GET first.
import { notFound, unsupportedMediaType } from '../store/api-error.js';
import { acceptedPatchTypes, patchMediaType, PATCH_TYPES } from './patch/index.js';
import { checkIdentity } from './admission.js';
import { present, respond, type Call } from './call.js';
import { readBody } from './http-io.js';
import { queryBool } from '../query-params.js';
import { createObject, updateObject } from './handlers-write.js';

export async function handlePatch(call: Call): Promise<void> {
  call.verb = 'PATCH';
  const { route } = call;
  const contentType = call.req.headers['content-type'] ?? '';
  const type = patchMediaType(contentType);
  if (!acceptedPatchTypes(route.type).includes(type))
    throw unsupportedMediaType(type, acceptedPatchTypes(route.type));
  const body = await readBody(call.req);
  const stored = call.ctx.store.get(route.type, route.namespace, route.name!);
  const isApply = type === PATCH_TYPES.apply;
  if (!stored && (!isApply || route.subresource)) throw notFound(route.type, route.name!);
  const current = stored ? present(call, stored) : undefined;
  const patched = call.ctx.modules.applyPatch(route.type, current, body, contentType, {
    fieldManager: call.query.get('fieldManager') ?? undefined,
    force: queryBool(call.query, 'force'),
  });
  const obj = checkIdentity(call, patched as unknown as Record<string, unknown>);
  if (!stored) {
    respond(call, 201, createObject(call, obj, 'apply'));
    return;
  }
  respond(call, 200, updateObject(call, obj, stored, isApply ? 'apply' : 'patch'));
}
