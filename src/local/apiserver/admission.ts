// Checks and defaults every create, update and patch goes through before the store sees it:
// body identity against the URL, namespace existence, server-side defaults, validation.
import { findResource } from '../resources.js';
import { ApiError, badRequest, invalid, notFound, statusError } from '../store/api-error.js';
import type { WriteOperation } from './modules.js';
import type { KubeObject } from '../store/types.js';
import { applyDefaults, resetStatusOnCreate } from './admission-defaults.js';
import { applyCrdDefaults } from './crd-defaults.js';
import { fieldValidation, type Call } from './call.js';
import { groupVersion } from './paths.js';

const NAMESPACES = findResource('', 'namespaces')!;

/** The body must be the kind the URL names, in the URL's namespace. Fills in what the body leaves out. */
export function checkIdentity(call: Call, body: Record<string, unknown>): KubeObject {
  const { route } = call;
  const expected = groupVersion(route.group, route.version);
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`,
    );
  }
  if (body.kind !== undefined && body.kind !== route.type.kind) {
    throw badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${route.type.kind})`,
    );
  }
  if (
    body.metadata !== undefined &&
    (typeof body.metadata !== 'object' || body.metadata === null || Array.isArray(body.metadata))
  ) {
    throw badRequest('metadata: must be an object');
  }
  const obj = {
    ...body,
    apiVersion: expected,
    kind: route.type.kind,
    metadata: { ...((body.metadata as object) ?? {}) },
  } as KubeObject;
  if (typeof obj.metadata.name !== 'string' && obj.metadata.name !== undefined)
    throw badRequest('metadata.name: must be a string');
  if (route.type.namespaced) {
    const ns = obj.metadata.namespace;
    if (ns === undefined || ns === '') obj.metadata.namespace = route.namespace;
    else if (ns !== route.namespace)
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
  } else {
    delete obj.metadata.namespace;
  }
  if (route.name !== undefined) {
    const name = obj.metadata.name;
    if (name === undefined || name === '') obj.metadata.name = route.name;
    else if (name !== route.name)
      throw badRequest(`the name of the object (${name}) does not match the name on the URL (${route.name})`);
  }
  return obj;
}

export function requireNamespace(call: Call): void {
  const ns = call.route.namespace;
  if (ns !== undefined && !call.ctx.store.get(NAMESPACES, undefined, ns)) throw notFound(NAMESPACES, ns);
}

function unknownServerError(message: string): ApiError {
  const err = statusError(500, '', message);
  delete (err.status as { reason?: string }).reason;
  return err;
}

export function prepareCreate(call: Call, obj: KubeObject): void {
  // The storage layer's plain error: a 500 with no reason, exactly as a real server answers.
  if (obj.metadata.resourceVersion)
    throw unknownServerError('resourceVersion should not be set on objects to be created');
  requireNamespace(call);
  resetStatusOnCreate(obj, call.route.type.subresources?.includes('status') ?? false);
  applyDefaults(obj, call.ctx.store);
  applyCrdDefaults(call.route.type, obj);
}

/** Defaults for an update; fields the server assigned once (a Service's ClusterIP) carry over. */
export function prepareUpdate(call: Call, obj: KubeObject, old: KubeObject): void {
  if (obj.kind === 'Service') carryClusterIp(obj, old);
  applyDefaults(obj, call.ctx.store);
  applyCrdDefaults(call.route.type, obj);
}

function carryClusterIp(obj: KubeObject, old: KubeObject): void {
  const spec = obj.spec as Record<string, unknown> | undefined;
  const oldSpec = old.spec as Record<string, unknown> | undefined;
  if (!spec || !oldSpec || oldSpec.clusterIP === undefined) return;
  if (spec.clusterIP === undefined || spec.clusterIP === '') {
    spec.clusterIP = oldSpec.clusterIP;
    spec.clusterIPs = oldSpec.clusterIPs;
  }
}

/**
 * Runs the validation module: 422 naming the fields (400 for decode problems such as unknown
 * fields under Strict), warnings to the Warning header; then drops undeclared fields, as the
 * real server does whatever the fieldValidation mode.
 */
export function validate(
  call: Call,
  obj: KubeObject,
  operation: WriteOperation,
  oldObject?: KubeObject,
): void {
  const { modules } = call.ctx;
  const type = call.route.type;
  const result = modules.validateObject(type, obj, { fieldValidation: fieldValidation(call), oldObject });
  call.warnings.push(...result.warnings);
  const error = modules.validationError(type, obj, result.causes, operation);
  if (error) throw error;
  modules.pruneUnknownFields(type, obj);
}

/** PUT without metadata.resourceVersion, for kinds that forbid unconditional updates (Leases, custom resources). */
export function requireResourceVersion(call: Call, obj: KubeObject): void {
  if (!call.route.type.requireResourceVersionOnUpdate || obj.metadata.resourceVersion) return;
  throw invalid(call.route.type, obj.metadata.name, [
    {
      reason: 'FieldValueInvalid',
      message: 'Invalid value: 0x0: must be specified for an update',
      field: 'metadata.resourceVersion',
    },
  ]);
}
