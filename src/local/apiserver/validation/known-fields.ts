// Field-level knowledge the precompiled schemas do not expose: which fields a type declares
// (for `fieldValidation` and pruning), which hold a MicroTime, and the Go names the real
// server's decode errors use. Built-in kinds use the generated table (official OpenAPI via
// client-node); custom resources walk their CRD schema.
import knownFields from './known-fields.generated.json' with { type: 'json' };
import type { JsonSchema } from './official-schemas.js';

const table = knownFields as { types: Record<string, Record<string, string>> };

const ROOT_TYPES: Record<string, string> = {
  Namespace: 'V1Namespace',
  Pod: 'V1Pod',
  Service: 'V1Service',
  Endpoints: 'V1Endpoints',
  Event: 'CoreV1Event',
  Secret: 'V1Secret',
  ConfigMap: 'V1ConfigMap',
  Deployment: 'V1Deployment',
  ReplicaSet: 'V1ReplicaSet',
  Lease: 'V1Lease',
};

export function rootTypeOf(kind: string): string | undefined {
  return ROOT_TYPES[kind];
}

export interface FieldFinding {
  /** `spec.template.spec.containers[0].foo` */
  path: string;
  /** Parent container and key, to prune in place. */
  parent: Record<string, unknown>;
  key: string;
}

export interface WalkResult {
  unknown: FieldFinding[];
  /** MicroTime fields whose value is not RFC 3339 with exactly six fractional digits. */
  badMicroTimes: Array<{ path: string; value: unknown }>;
  /**
   * Empty lists and maps in `omitempty` fields of built-in kinds: the real server decodes into Go
   * structs, so `env: []` left by a patch or sent on create is gone when the object comes back.
   */
  emptyOmitted?: FieldFinding[];
}

// The few collection fields of the served kinds whose Go json tag has no omitempty: an empty
// value survives the round trip (and fails validation where it is required).
const KEEP_EMPTY = new Set(['V1PodSpec.containers', 'V1NodeSelector.nodeSelectorTerms']);

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

export function walkBuiltin(kind: string, obj: unknown): WalkResult {
  const result: WalkResult = { unknown: [], badMicroTimes: [], emptyOmitted: [] };
  const root = ROOT_TYPES[kind];
  if (root) walkType(obj, root, [], result);
  return result;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

type TypeShape =
  | { kind: 'micro' | 'leaf' }
  | { kind: 'array' | 'map'; inner: string }
  | { kind: 'struct'; fields: Record<string, string> };

// Parsed once per type name: the walk runs on every write.
const shapes = new Map<string, TypeShape>();

function shapeOf(type: string): TypeShape {
  let shape = shapes.get(type);
  if (shape) return shape;
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (type === 'V1MicroTime') shape = { kind: 'micro' };
  else if (array) shape = { kind: 'array', inner: array[1]! };
  else if (map) shape = { kind: 'map', inner: map[1]! };
  else if (table.types[type]) shape = { kind: 'struct', fields: table.types[type]! };
  else shape = { kind: 'leaf' };
  shapes.set(type, shape);
  return shape;
}

/** Path segments are kept on a stack and joined only for findings: most walks find nothing. */
function render(stack: Array<string | number>): string {
  let out = '';
  for (const seg of stack) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

function walkType(value: unknown, type: string, stack: Array<string | number>, out: WalkResult): void {
  if (value === null || value === undefined) return;
  const shape = shapeOf(type);
  switch (shape.kind) {
    case 'leaf':
      return;
    case 'micro':
      if (typeof value !== 'string' || !MICRO_TIME.test(value))
        out.badMicroTimes.push({ path: render(stack), value });
      return;
    case 'array':
      if (!Array.isArray(value)) return;
      for (let i = 0; i < value.length; i++) {
        stack.push(i);
        walkType(value[i], shape.inner, stack, out);
        stack.pop();
      }
      return;
    case 'map':
      if (!isRecord(value) || shapeOf(shape.inner).kind === 'leaf') return;
      for (const k in value) {
        stack.push(`[${k}]`);
        walkType(value[k], shape.inner, stack, out);
        stack.pop();
      }
      return;
    case 'struct':
      if (!isRecord(value)) return;
      for (const key in value) {
        const fieldType = shape.fields[key];
        stack.push(key);
        if (fieldType === undefined) out.unknown.push({ path: render(stack), parent: value, key });
        else if (isEmptyCollection(value[key], fieldType) && !KEEP_EMPTY.has(`${type}.${key}`))
          out.emptyOmitted?.push({ path: render(stack), parent: value, key });
        else walkType(value[key], fieldType, stack, out);
        stack.pop();
      }
  }
}

/** Unknown fields of a custom resource: properties its structural schema does not declare. */
export function walkCrd(schema: JsonSchema, obj: Record<string, unknown>): WalkResult {
  const result: WalkResult = { unknown: [], badMicroTimes: [] };
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'metadata') walkType(value, 'V1ObjectMeta', ['metadata'], result);
    else if (schema.properties?.[key]) walkSchema(value, schema.properties[key]!, key, result);
    else result.unknown.push({ path: key, parent: obj, key });
  }
  return result;
}

function walkSchema(value: unknown, schema: JsonSchema, path: string, out: WalkResult): void {
  if (value === null || value === undefined || schema['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => walkSchema(v, schema.items!, `${path}[${i}]`, out));
    return;
  }
  if (!isRecord(value)) return;
  if (typeof schema.additionalProperties === 'object') {
    for (const [k, v] of Object.entries(value))
      walkSchema(v, schema.additionalProperties, `${path}[${k}]`, out);
    return;
  }
  // An object schema without declared properties keeps whatever it gets (status, free-form maps).
  if (!schema.properties || Object.keys(schema.properties).length === 0) return;
  for (const [key, v] of Object.entries(value)) {
    const sub = schema.properties[key];
    if (sub) walkSchema(v, sub, join(path, key), out);
    else out.unknown.push({ path: join(path, key), parent: value, key });
  }
}

/**
 * Go's name for the field at a JSON path, for decode errors such as
 * `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
 */
export function goFieldOf(kind: string, segments: string[]): { struct: string; goType: string } | undefined {
  let type = ROOT_TYPES[kind];
  let struct = '';
  for (const seg of segments) {
    if (!type) return undefined;
    const inner = /^(?:Array<(.+)>|\{ \[key: string\]: (.+); \})$/.exec(type);
    if (inner) {
      type = inner[1] ?? inner[2];
      continue;
    }
    struct = type;
    type = table.types[type]?.[seg];
  }
  if (!type || !struct) return undefined;
  return { struct: goStructName(struct), goType: goTypeName(type) };
}

function goStructName(type: string): string {
  return type.replace(/^(Core)?V1(beta\d)?/, '');
}

function goTypeName(type: string): string {
  if (type.startsWith('number:'))
    return { int32: 'int32', int64: 'int64', double: 'float64' }[type.slice(7)] ?? 'int64';
  if (type === 'number') return 'float64';
  if (type === 'boolean') return 'bool';
  if (type === 'Date' || type === 'V1MicroTime') return 'v1.Time';
  if (type === 'IntOrString') return 'intstr.IntOrString';
  if (type.startsWith('Array<')) return `[]${goTypeName(type.slice(6, -1))}`;
  if (type.startsWith('{ [key: string]: ')) return `map[string]${goTypeName(type.slice(17, -3))}`;
  if (type === 'string') return 'string';
  return goStructName(type);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isEmptyCollection(value: unknown, type: string): boolean {
  const kind = shapeOf(type).kind;
  if (kind === 'array') return Array.isArray(value) && value.length === 0;
  if (kind === 'map') return isRecord(value) && Object.keys(value).length === 0;
  return false;
}
