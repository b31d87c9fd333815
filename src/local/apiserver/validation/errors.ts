// The Status a failed validation becomes, by operation, as the real server answers:
// - create/update: decode problems (unknown fields under Strict, wrong JSON types, a MicroTime
//   without six fractional digits) are 400 BadRequest `Kind in version "v1" cannot be handled as
//   a Kind: …`; everything else is 422 Invalid naming the fields;
// - patch (merge, JSON, strategic): decode problems are 422 Invalid on the field `patch`;
// - apply: unknown fields are 400 `.spec.foo: field not declared in schema`.
import type { ResourceType } from '../../resources.js';
import { ApiError, badRequest, invalid, statusError } from '../../store/api-error.js';
import type { KubeObject } from '../../store/types.js';
import { BAD_REQUEST, type Cause } from './field-errors.js';

export type WriteOperation = 'create' | 'update' | 'patch' | 'apply';

export function validationError(
  resourceType: ResourceType,
  obj: KubeObject,
  causes: Cause[],
  operation: WriteOperation,
): ApiError | undefined {
  if (causes.length === 0) return undefined;
  const decode = causes.filter((c) => c.reason === BAD_REQUEST);
  if (decode.length > 0) return decodeError(resourceType, obj, decode, operation);
  return invalid(resourceType, obj.metadata?.name ?? '', causes);
}

function decodeError(
  resourceType: ResourceType,
  obj: KubeObject,
  causes: Cause[],
  operation: WriteOperation,
): ApiError {
  const unknown = causes.filter((c) => c.message.startsWith('unknown field '));
  const other = causes.filter((c) => !c.message.startsWith('unknown field '));
  if (operation === 'apply' && unknown.length > 0 && other.length === 0) {
    return badRequest(unknown.map((c) => `.${c.field}: field not declared in schema`).join(', '));
  }
  const text =
    other.length > 0
      ? other[0]!.message
      : `strict decoding error: ${unknown.map((c) => c.message).join(', ')}`;
  if (operation === 'patch') {
    return statusError(
      422,
      'Invalid',
      ` "" is invalid: patch: Invalid value: ${JSON.stringify(JSON.stringify(obj))}: ${text}`,
      {
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: ${JSON.stringify(JSON.stringify(obj))}: ${text}`,
            field: 'patch',
          },
        ],
      },
    );
  }
  const version = (obj.apiVersion ?? '').split('/').pop() || resourceType.versions[0];
  return badRequest(
    `${resourceType.kind} in version "${version}" cannot be handled as a ${resourceType.kind}: ${text}`,
  );
}
