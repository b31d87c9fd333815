// Errors that carry a Kubernetes Status body. The API server sends `status` as is, with `code`
// as the HTTP status; in-process callers (controllers, runtime) branch on `code` / `status.reason`.
// Message formats follow k8s.io/apimachinery/pkg/api/errors/errors.go so that kubectl and
// client-node print exactly what they print against a real cluster.
import type { ResourceType } from '../resources.js';
import type { StatusBody } from './types.js';

/** What an error needs to know about the resource: its group and plural name (and kind for 422). */
export type ResourceRef = Pick<ResourceType, 'group' | 'resource'> & { kind?: string };

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export class ApiError extends Error {
  readonly status: StatusBody;
  readonly code: number;
  constructor(status: StatusBody) {
    super(status.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = status.code;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export function statusError(
  code: number,
  reason: string,
  message: string,
  details?: StatusBody['details'],
): ApiError {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) body.details = details;
  return new ApiError(body);
}

function qualified(r: ResourceRef): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

function details(r: ResourceRef, name: string | undefined, kind = r.resource): StatusBody['details'] {
  const d: NonNullable<StatusBody['details']> = {};
  if (name) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = kind;
  return d;
}

export function notFound(r: ResourceRef, name: string): ApiError {
  return statusError(404, 'NotFound', `${qualified(r)} "${name}" not found`, details(r, name));
}

export function alreadyExists(r: ResourceRef, name: string): ApiError {
  return statusError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, details(r, name));
}

/** 409 Conflict; `why` defaults to the stale-resourceVersion text. */
export function conflict(r: ResourceRef, name: string, why?: string): ApiError {
  const reason =
    why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return statusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${reason}`,
    details(r, name),
  );
}

/**
 * 422 Invalid. Unlike the other errors, the real server names the Kind here
 * (`Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: …`) and details.kind is the Kind.
 */
export function invalid(r: ResourceRef, name: string, causes: StatusCause[]): ApiError {
  const kind = r.kind ?? r.resource;
  const qualifiedKind = r.group ? `${kind}.${r.group}` : kind;
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const d = details(r, name, kind)!;
  d.causes = causes.map((c) => ({
    reason: c.reason,
    message: c.message,
    ...(c.field ? { field: c.field } : {}),
  }));
  return statusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, d);
}

/** 410 Expired, e.g. `too old resource version: 12 (345)`. */
export function expired(message: string): ApiError {
  return statusError(410, 'Expired', message);
}

export function badRequest(message: string): ApiError {
  return statusError(400, 'BadRequest', message);
}

export const ACCEPTED_PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
];

/** 415; `accepted` lists the media types the endpoint takes (the sent type is not echoed, as in Kubernetes). */
export function unsupportedMediaType(
  _contentType: string,
  accepted: string[] = ACCEPTED_PATCH_TYPES,
): ApiError {
  const message = `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`;
  return statusError(415, 'UnsupportedMediaType', message);
}

export function tooLarge(limitBytes: number): ApiError {
  return statusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`);
}

export function methodNotAllowed(message: string): ApiError {
  return statusError(405, 'MethodNotAllowed', message);
}

export function internalError(message: string): ApiError {
  return statusError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ reason: '', message }],
  } as StatusBody['details']);
}

export function serviceUnavailable(message: string): ApiError {
  return statusError(503, 'ServiceUnavailable', message);
}

/** The generic 404 for a URL that names no resource (`the server could not find the requested resource`). */
export function pathNotFound(): ApiError {
  return statusError(404, 'NotFound', 'the server could not find the requested resource', {});
}
