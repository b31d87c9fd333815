// Validation of objects written to the local API server, against the official schemas
// (kubernetes-models for built-in kinds, @kubernetes-models/istio for Istio's CRDs) plus the
// semantic rules a real API server applies that no schema expresses. Pure and synchronous;
// validators are compiled once and cached, so a call costs microseconds.
import type { ResourceType } from '../../resources.js';
import type { KubeObject } from '../../store/types.js';
import { badRequestCause, type Cause } from './field-errors.js';
import { rootTypeOf, walkBuiltin, walkCrd, type WalkResult } from './known-fields.js';
import { checkGateway, checkHttpRoute } from './gateway-api-checks.js';
import { checkConfigMap, checkLease, checkSecret, checkService } from './kind-checks.js';
import { checkObjectMeta, isRecord } from './meta-checks.js';
import { nameCheckFor } from './names.js';
import { builtinValidator, crdSchema, metadataValidator } from './official-schemas.js';
import { checkPodSpec } from './pod-spec-checks.js';
import { builtinSchemaCauses, crdSchemaCauses } from './schema-errors.js';
import { checkWorkload } from './workload-checks.js';

export { validationError, type WriteOperation } from './errors.js';
export type { Cause } from './field-errors.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ValidateOptions {
  /** `?fieldValidation=`; the real server's default is Warn. */
  fieldValidation?: FieldValidation;
  /** The stored object, on update: enables the immutable-field rules. */
  oldObject?: KubeObject;
}

export interface ValidationResult {
  /** Empty when valid. Causes with reason 'BadRequest' are decode errors (400), the rest 422. */
  causes: Cause[];
  /** `unknown field "spec.foo"` under fieldValidation=Warn: send as `Warning: 299 - "…"` headers. */
  warnings: string[];
}

export function validateObject(
  resourceType: ResourceType,
  obj: KubeObject,
  opts: ValidateOptions = {},
): ValidationResult {
  const mode = opts.fieldValidation ?? 'Warn';
  const fields = walkFields(resourceType, obj);
  const causes: Cause[] = [
    ...schemaCauses(resourceType, obj),
    ...microTimeCauses(resourceType, fields),
    ...semanticCauses(resourceType, obj, opts.oldObject),
  ];
  const warnings: string[] = [];
  for (const f of fields.unknown) {
    if (mode === 'Strict') causes.push(badRequestCause(f.path, `unknown field ${JSON.stringify(f.path)}`));
    else if (mode === 'Warn') warnings.push(`unknown field ${JSON.stringify(f.path)}`);
  }
  return { causes: dedupe(causes), warnings };
}

/**
 * Drops the fields the schema does not declare, as the real server does whatever the
 * fieldValidation mode (Go structs for built-ins, pruning for CRDs), and the empty lists and
 * maps Go's omitempty drops from built-ins. Returns the paths of the unknown fields.
 */
export function pruneUnknownFields(resourceType: ResourceType, obj: KubeObject): string[] {
  const { unknown, emptyOmitted } = walkFields(resourceType, obj);
  for (const f of [...unknown, ...(emptyOmitted ?? [])]) delete f.parent[f.key];
  return unknown.map((f) => f.path);
}

function walkFields(resourceType: ResourceType, obj: KubeObject): WalkResult {
  if (!resourceType.custom)
    return rootTypeOf(resourceType.kind)
      ? walkBuiltin(resourceType.kind, obj)
      : { unknown: [], badMicroTimes: [] };
  const crd = crdSchema(resourceType.group, versionOf(obj, resourceType), resourceType.kind);
  return crd ? walkCrd(crd.schema, obj) : { unknown: [], badMicroTimes: [] };
}

function versionOf(obj: KubeObject, resourceType: ResourceType): string {
  const v = typeof obj.apiVersion === 'string' ? obj.apiVersion.split('/').pop() : undefined;
  return v && resourceType.versions.includes(v) ? v : resourceType.versions[0]!;
}

function schemaCauses(resourceType: ResourceType, obj: KubeObject): Cause[] {
  if (!resourceType.custom) {
    const apiVersion = resourceType.group
      ? `${resourceType.group}/${resourceType.versions[0]}`
      : resourceType.versions[0]!;
    const validate = builtinValidator(apiVersion, resourceType.kind);
    if (!validate || validate({ ...obj, apiVersion, kind: resourceType.kind })) return [];
    return builtinSchemaCauses(resourceType.kind, obj, validate.errors ?? []);
  }
  const causes: Cause[] = [];
  const meta = metadataValidator();
  if (obj.metadata !== undefined && !meta(obj.metadata)) {
    causes.push(
      ...builtinSchemaCauses(
        '',
        obj,
        (meta.errors ?? []).map((e) => ({ ...e, instancePath: `/metadata${e.instancePath}` })),
      ),
    );
  }
  const crd = crdSchema(resourceType.group, versionOf(obj, resourceType), resourceType.kind);
  if (crd && !crd.validate(obj)) causes.push(...crdSchemaCauses(obj, crd.validate.errors ?? []));
  return causes;
}

function microTimeCauses(resourceType: ResourceType, fields: WalkResult): Cause[] {
  return fields.badMicroTimes.map(({ path, value }) => badRequestCause(path, microTimeMessage(value)));
}

/** Go's time.Parse error for metav1.MicroTime's layout. */
function microTimeMessage(value: unknown): string {
  const text = String(value);
  const frac = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(.*)$/.exec(text);
  const rest = frac ? frac[1]! : text;
  const target = frac ? '".000000"' : '"2006"';
  return `parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(rest)} as ${target}`;
}

function semanticCauses(resourceType: ResourceType, obj: KubeObject, old: KubeObject | undefined): Cause[] {
  const meta = isRecord(obj.metadata) ? obj.metadata : undefined;
  const causes = checkObjectMeta(meta, nameCheckFor(resourceType.kind));
  switch (resourceType.kind) {
    case 'Deployment':
    case 'ReplicaSet':
      return [...causes, ...checkWorkload(resourceType.kind, obj.spec, old)];
    case 'Pod':
      return [...causes, ...checkPodSpec(obj.spec, 'spec', false)];
    case 'Service':
      return [...causes, ...checkService(obj.spec, old)];
    case 'Lease':
      return [...causes, ...checkLease(obj.spec)];
    case 'ConfigMap':
      return [...causes, ...checkConfigMap(obj, old)];
    case 'Secret':
      return [...causes, ...checkSecret(obj, old)];
    case 'HTTPRoute':
      return [...causes, ...checkHttpRoute(obj.spec)];
    case 'Gateway':
      return resourceType.group === 'gateway.networking.k8s.io'
        ? [...causes, ...checkGateway(obj.spec)]
        : causes;
    default:
      return causes;
  }
}

function dedupe(causes: Cause[]): Cause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const key = `${c.field}\u0000${c.reason === 'FieldValueRequired' ? 'required' : c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
