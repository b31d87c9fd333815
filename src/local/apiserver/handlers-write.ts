// POST (create) and PUT (replace) of whole objects, including PUT to the status subresource.
import { newUid, nowTimestamp } from '../store/object-meta.js';
import { alreadyExists, notFound } from '../store/api-error.js';
import type { KubeObject } from '../store/types.js';
import {
  checkIdentity,
  prepareCreate,
  prepareUpdate,
  requireResourceVersion,
  validate,
} from './admission.js';
import { isDryRun, present, respond, type Call } from './call.js';
import { decodeObjectBody, readBody } from './http-io.js';
import type { WriteOperation } from './modules.js';
import { recordUpdate, updateManager } from './patch/field-ownership.js';
import { groupVersion } from './paths.js';

export async function readObjectBody(call: Call): Promise<Record<string, unknown>> {
  const body = await readBody(call.req);
  return decodeObjectBody(body, call.req.headers['content-type']);
}

export async function handleCreate(call: Call): Promise<void> {
  call.verb = 'POST';
  const obj = checkIdentity(call, await readObjectBody(call));
  respond(call, 201, createObject(call, obj));
}

/** Admits and stores a new object (or, under dryRun, returns what would be stored). */
export function createObject(call: Call, obj: KubeObject, operation: WriteOperation = 'create'): KubeObject {
  prepareCreate(call, obj);
  validate(call, obj, operation);
  if (operation !== 'apply') {
    delete obj.metadata.managedFields;
    trackUpdate(call, undefined, obj);
  }
  const { store } = call.ctx;
  const { type } = call.route;
  if (isDryRun(call)) {
    if (obj.metadata.name && store.get(type, obj.metadata.namespace, obj.metadata.name))
      throw alreadyExists(type, obj.metadata.name);
    obj.metadata.uid = newUid();
    obj.metadata.creationTimestamp = nowTimestamp();
    if (type.hasGeneration) obj.metadata.generation = 1;
    return present(call, obj);
  }
  return present(call, store.create(type, obj));
}

export async function handleUpdate(call: Call): Promise<void> {
  call.verb = 'PUT';
  const obj = checkIdentity(call, await readObjectBody(call));
  const { route } = call;
  const existing = call.ctx.store.get(route.type, route.namespace, route.name!);
  if (!existing) {
    if (!route.type.allowCreateOnUpdate || route.subresource) throw notFound(route.type, route.name!);
    // Create-on-update (Leases) stores the object fresh, whatever resourceVersion the body carried,
    // as the real registry does (PrepareObjectForStorage), instead of a 500 from createObject.
    delete obj.metadata.resourceVersion;
    respond(call, 201, createObject(call, obj));
    return;
  }
  if (!route.subresource) requireResourceVersion(call, obj);
  respond(call, 200, updateObject(call, obj, existing));
}

/** Admits and stores a replacement of `existing` (main resource or status). */
export function updateObject(
  call: Call,
  obj: KubeObject,
  existing: KubeObject,
  operation: WriteOperation = 'update',
): KubeObject {
  const { type, subresource } = call.route;
  const { store } = call.ctx;
  if (subresource === 'status') {
    const merged = {
      ...existing,
      status: obj.status,
      metadata: { ...existing.metadata, resourceVersion: obj.metadata.resourceVersion },
    };
    validate(call, merged, operation, existing);
    if (operation !== 'apply') trackUpdate(call, existing, merged);
    if (isDryRun(call)) return present(call, merged);
    return present(call, store.update(type, merged, { subresource: 'status' }));
  }
  prepareUpdate(call, obj, existing);
  validate(call, obj, operation, existing);
  if (operation !== 'apply') trackUpdate(call, existing, obj);
  if (isDryRun(call))
    return present(call, { ...obj, metadata: { ...obj.metadata, uid: existing.metadata.uid } });
  return present(call, finishDeletion(call, store.update(type, obj)));
}

// An object being deleted goes once its last finalizer is removed (pods: once the runtime removes them).
function finishDeletion(call: Call, obj: KubeObject): KubeObject {
  const { type } = call.route;
  if (!obj.metadata.deletionTimestamp || obj.metadata.finalizers?.length || type.kind === 'Pod') return obj;
  return call.ctx.store.delete(type, obj.metadata.namespace, obj.metadata.name);
}

// Every write but an apply records its manager as the owner of what it changed (managedFields).
function trackUpdate(call: Call, existing: KubeObject | undefined, obj: KubeObject): void {
  const { route } = call;
  recordUpdate(
    route.type.kind,
    existing,
    obj,
    updateManager(call.query.get('fieldManager'), call.req.headers['user-agent']),
    groupVersion(route.group, route.version),
    new Date(),
    route.subresource,
  );
}
