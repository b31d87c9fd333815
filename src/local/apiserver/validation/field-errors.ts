// Causes in the shape and wording of k8s.io/apimachinery/pkg/util/validation/field: the Status
// cause carries the body (`Invalid value: "Foo": …`) and the field path separately, and the 422
// message joins them (`metadata.name: Invalid value: "Foo": …`).
import { goValue } from './go-format.js';

export interface Cause {
  reason: string;
  message: string;
  field: string;
}

/** Decode-level problems (unknown fields under Strict, wrong JSON types, bad times): a 400, not a 422. */
export const BAD_REQUEST = 'BadRequest';

export function invalidValue(field: string, value: unknown, detail: string): Cause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: ${detail}`, field };
}

export function required(field: string, detail = ''): Cause {
  return {
    reason: 'FieldValueRequired',
    message: detail ? `Required value: ${detail}` : 'Required value',
    field,
  };
}

export function notSupported(field: string, value: unknown, supported: string[]): Cause {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${goValue(value)}: supported values: ${list}`,
    field,
  };
}

export function forbidden(field: string, detail: string): Cause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

export function duplicate(field: string, value: unknown): Cause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${goValue(value)}`, field };
}

export function notFound(field: string, value: unknown): Cause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${goValue(value)}`, field };
}

export function tooLong(field: string, limitBytes: number): Cause {
  return { reason: 'FieldValueTooLong', message: `Too long: must have at most ${limitBytes} bytes`, field };
}

export function typeInvalid(field: string, value: unknown, detail: string): Cause {
  return { reason: 'FieldValueTypeInvalid', message: `Invalid value: ${goValue(value)}: ${detail}`, field };
}

export function badRequestCause(field: string, message: string): Cause {
  return { reason: BAD_REQUEST, message, field };
}

export function portRange(field: string, port: unknown): Cause[] {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535
    ? []
    : [invalidValue(field, port, 'must be between 1 and 65535, inclusive')];
}
