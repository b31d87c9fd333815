// Turns ajv errors from the official schemas into causes worded as the real server words them.
// Built-in kinds are decoded into Go structs first, so a wrong JSON type or an unparsable time
// is a decode error (400); custom resources are checked by the CRD's OpenAPI validator (422).
import type { ErrorObject } from 'ajv';
import {
  badRequestCause,
  invalidValue,
  notSupported,
  required,
  typeInvalid,
  type Cause,
} from './field-errors.js';
import { goFieldOf } from './known-fields.js';

function segmentsOf(instancePath: string): string[] {
  return instancePath === ''
    ? []
    : instancePath
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `spec.template.spec.containers[0].ports[0].containerPort`: indices into arrays, dots between fields. */
export function fieldPath(root: unknown, segments: string[]): string {
  let node: unknown = root;
  let path = '';
  for (const seg of segments) {
    if (Array.isArray(node)) path += `[${seg}]`;
    else path += path ? `.${seg}` : seg;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return path;
}

function valueAt(root: unknown, segments: string[]): unknown {
  let node = root;
  for (const seg of segments)
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  return node;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** Only the first error per field matters; ajv with allErrors may report a field several times. */
export function builtinSchemaCauses(kind: string, obj: unknown, errors: ErrorObject[]): Cause[] {
  const causes: Cause[] = [];
  for (const err of errors) {
    const segs = segmentsOf(err.instancePath);
    if (segs.length === 1 && (segs[0] === 'apiVersion' || segs[0] === 'kind')) continue;
    if (segs.length === 0 && err.keyword === 'required') continue;
    const value = valueAt(obj, segs);
    const field = fieldPath(obj, segs);
    if (err.keyword === 'required') {
      causes.push(
        required(
          field
            ? `${field}.${(err.params as { missingProperty: string }).missingProperty}`
            : String((err.params as { missingProperty: string }).missingProperty),
        ),
      );
    } else if (err.keyword === 'type') {
      if (value === null) continue;
      const go = goFieldOf(
        kind,
        segs.filter((s) => !/^\d+$/.test(s)),
      );
      const goPath = segs.filter((s) => !/^\d+$/.test(s)).join('.');
      const where = go
        ? `Go struct field ${go.struct}.${goPath} of type ${go.goType}`
        : `Go value of type ${String((err.params as { type: string }).type)}`;
      causes.push(badRequestCause(field, `json: cannot unmarshal ${jsonKind(value)} into ${where}`));
    } else if (err.keyword === 'format') {
      causes.push(formatCause(field, value, String((err.params as { format: string }).format)));
    } else if (err.keyword === 'enum') {
      causes.push(
        notSupported(
          field,
          value,
          ((err.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String),
        ),
      );
    } else {
      causes.push(invalidValue(field, value, err.message ?? err.keyword));
    }
  }
  return causes;
}

function formatCause(field: string, value: unknown, format: string): Cause {
  if (format === 'date-time') {
    return badRequestCause(
      field,
      `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as "2006"`,
    );
  }
  if (format === 'byte')
    return badRequestCause(field, `illegal base64 data at input byte ${firstBadBase64Byte(String(value))}`);
  return invalidValue(field, value, `must be of format ${format}`);
}

function firstBadBase64Byte(text: string): number {
  const i = text.search(/[^A-Za-z0-9+/=]/);
  return i >= 0 ? i : Math.max(0, text.length - (text.length % 4));
}

/** CRD validation (k8s.io/kube-openapi): `spec.hosts: Invalid value: "string": spec.hosts in body must be of type array: "string"`. */
export function crdSchemaCauses(obj: unknown, errors: ErrorObject[]): Cause[] {
  const causes: Cause[] = [];
  for (const err of errors) {
    // Failures inside the branches of a oneOf/anyOf/not explain the summary error, which is reported once.
    if (/\/(oneOf|anyOf|not)\//.test(err.schemaPath)) continue;
    const segs = segmentsOf(err.instancePath);
    const value = valueAt(obj, segs);
    const field = fieldPath(obj, segs);
    if (err.keyword === 'required')
      causes.push(
        required(
          field
            ? `${field}.${(err.params as { missingProperty: string }).missingProperty}`
            : String((err.params as { missingProperty: string }).missingProperty),
        ),
      );
    else if (err.keyword === 'type') {
      const t = jsonKind(value) === 'bool' ? 'boolean' : jsonKind(value);
      causes.push(
        typeInvalid(
          field,
          t,
          `${field} in body must be of type ${String((err.params as { type: string }).type)}: ${JSON.stringify(t)}`,
        ),
      );
    } else if (err.keyword === 'enum')
      causes.push(
        notSupported(
          field,
          value,
          ((err.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String),
        ),
      );
    else if (err.keyword === 'additionalProperties') continue;
    else if (err.keyword === 'oneOf' || err.keyword === 'anyOf' || err.keyword === 'not')
      causes.push(invalidValue(field, jsonKind(value), `${field} in body ${err.message ?? 'is invalid'}`));
    else causes.push(invalidValue(field, value, `${field} in body ${err.message ?? err.keyword}`));
  }
  return causes;
}
