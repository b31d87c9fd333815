// The schemas of the OpenAPI v3 documents (`components.schemas`), from the official definitions
// the project depends on: built-in kinds from `kubernetes-models` (generated from Kubernetes'
// own OpenAPI; its TypeScript declarations keep every field's description, type and whether it
// is required), custom resources from their CRD schemas (official-schemas.ts). This is what
// `kubectl explain` reads. Built once per group-version on first request, then cached.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { ResourceType } from '../resources.js';
import { crdSchema, type JsonSchema } from './validation/official-schemas.js';

const require = createRequire(import.meta.url);
const modelsDir = dirname(require.resolve('kubernetes-models/package.json'));
const apimachineryDir = dirname(
  createRequire(join(modelsDir, 'package.json')).resolve('@kubernetes-models/apimachinery/package.json'),
);

const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

interface Declaration {
  /** `io.k8s.api.apps.v1.DeploymentSpec` */
  name: string;
  description: string;
  /** Set for `type X = string | number` declarations (IntOrString, Quantity, Time). */
  alias?: string;
  properties: Array<{ name: string; type: string; description: string; required: boolean }>;
  /** Exported type name (`IIoK8sApiCoreV1Container`) → declaration file. */
  imports: Map<string, string>;
}

const declarations = new Map<string, Declaration | null>();

/** `IoK8sApimachineryPkgApisMetaV1ObjectMeta` → `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`. */
function definitionName(exported: string): string {
  const words = exported.replace(/^IoK8s/, '').match(/[A-Z][a-z0-9]*/g) ?? [];
  const v = words.findIndex((w) => /^V\d+((Alpha|Beta)\d*)?$/.test(w) || /^V\d+$/.test(w));
  if (v < 0) return `io.k8s.${exported}`;
  const path = words.slice(0, v + 1).map((w) => w.toLowerCase());
  const rest = words.slice(v + 1);
  // `V1beta1` splits into `V1beta1`; `V1Alpha` style never occurs in these names.
  return `io.k8s.${path.join('.')}.${rest.join('')}`;
}

function readDeclaration(file: string): Declaration | null {
  if (declarations.has(file)) return declarations.get(file)!;
  let decl: Declaration | null = null;
  if (existsSync(file)) decl = parseDeclaration(readFileSync(file, 'utf8'), dirname(file));
  declarations.set(file, decl);
  return decl;
}

function importPath(from: string, dir: string): string {
  const base = from.startsWith('@kubernetes-models/apimachinery/')
    ? join(apimachineryDir, from.slice('@kubernetes-models/apimachinery/'.length))
    : resolve(dir, from);
  return `${base}.d.ts`;
}

function parseDeclaration(text: string, dir: string): Declaration | null {
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    if (!m[2]!.startsWith('@kubernetes-models/base')) imports.set(m[1]!, importPath(m[2]!, dir));
  }
  const exported = /^export \{ I\w+ as I(\w+),/m.exec(text)?.[1];
  if (!exported) return null;
  const lead = /^\/\*\*\n((?: \*.*\n)*?) \*\/\nexport (?:interface|declare type)/m.exec(text);
  const description = lead ? jsdoc(lead[1]!) : '';
  const alias = /^export declare type I\w+ = (.+);$/m.exec(text)?.[1];
  const body = /^export interface I\w+(?: extends \w+)? \{\n([\s\S]*?)^\}/m.exec(text)?.[1] ?? '';
  return { name: definitionName(exported), description, alias, properties: parseProperties(body), imports };
}

function jsdoc(block: string): string {
  return block
    .split('\n')
    .map((l) => l.replace(/^ \* ?/, ''))
    .join('\n')
    .trim();
}

function parseProperties(body: string): Declaration['properties'] {
  const out: Declaration['properties'] = [];
  const lines = body.split('\n');
  let description = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '/**') {
      const doc: string[] = [];
      while (++i < lines.length && lines[i]!.trim() !== '*/') doc.push(lines[i]!.replace(/^\s*\* ?/, ''));
      description = doc.join('\n').trim();
      continue;
    }
    const prop = /^ {4}"([^"]+)"(\?)?: (.*)$/.exec(line);
    if (!prop) continue;
    let type = prop[3]!;
    // Map types span lines: `{`, `[key: string]: X;`, `};`
    if (type.endsWith('{'))
      while (i + 1 < lines.length) {
        const next = lines[++i]!.trim();
        type += ` ${next}`;
        if (next.startsWith('}')) break;
      }
    out.push({ name: prop[1]!, type: type.replace(/;$/, '').trim(), description, required: !prop[2] });
    description = '';
  }
  return out;
}

function ref(name: string): string {
  return `#/components/schemas/${name}`;
}

/** The schema of a TypeScript type text; referenced declarations are added to `out`. */
function typeSchema(type: string, decl: Declaration, out: Map<string, JsonSchema>): JsonSchema {
  const t = type.replace(/;$/, '').trim();
  if (t === 'string') return { type: 'string' };
  if (t === 'number') return { type: 'integer', format: 'int32' };
  if (t === 'boolean') return { type: 'boolean' };
  if (/^"[^"]*"(?: \| "[^"]*")*$/.test(t))
    return { type: 'string', enum: [...t.matchAll(/"([^"]*)"/g)].map((m) => m[1]!) };
  const array = /^Array<(.+)>$/.exec(t);
  if (array) return { type: 'array', items: typeSchema(array[1]!, decl, out) };
  const map = /^\{ \[key: string\]: (.+?);? \}$/.exec(t);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1]!, decl, out) };
  const file = decl.imports.get(t);
  const target = file ? readDeclaration(file) : null;
  if (!target) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  if (target.alias) return aliasSchema(target);
  addDefinition(target, out);
  return { $ref: ref(target.name) };
}

function aliasSchema(decl: Declaration): JsonSchema {
  const base: JsonSchema = { description: decl.description };
  if (/IntOrString$/.test(decl.name))
    return { ...base, type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
  if (/Quantity$/.test(decl.name)) return { ...base, type: 'string' };
  if (/Time$/.test(decl.name)) return { ...base, type: 'string', format: 'date-time' };
  return { ...base, type: decl.alias === 'number' ? 'number' : 'string' };
}

function addDefinition(decl: Declaration, out: Map<string, JsonSchema>): void {
  if (out.has(decl.name)) return;
  const schema: JsonSchema = { description: decl.description, type: 'object', properties: {} };
  out.set(decl.name, schema);
  const required: string[] = [];
  for (const p of decl.properties) {
    let field: JsonSchema;
    if (p.name === 'apiVersion') field = { type: 'string', description: API_VERSION_DESCRIPTION };
    else if (p.name === 'kind') field = { type: 'string', description: KIND_DESCRIPTION };
    else {
      field = typeSchema(p.type, decl, out);
      // OpenAPI v3 puts siblings of a $ref under allOf, as the real server's documents do.
      if (field.$ref) field = { allOf: [{ $ref: field.$ref }] };
      if (p.description) field = { ...field, description: p.description };
    }
    schema.properties![p.name] = field;
    if (p.required && p.name !== 'apiVersion' && p.name !== 'kind') required.push(p.name);
  }
  if (required.length) schema.required = required;
}

function builtinFile(r: ResourceType, version: string): string {
  return join(modelsDir, r.group ? `${r.group}/${version}` : version, `${r.kind}.d.ts`);
}

function gvk(r: ResourceType, version: string): Array<Record<string, string>> {
  return [{ group: r.group, kind: r.kind, version }];
}

function customSchema(
  r: ResourceType,
  version: string,
  out: Map<string, JsonSchema>,
): JsonSchema | undefined {
  const crd = crdSchema(r.group, version, r.kind);
  if (!crd) return undefined;
  const meta = readDeclaration(join(apimachineryDir, 'apis/meta/v1/ObjectMeta.d.ts'));
  if (meta) addDefinition(meta, out);
  const schema = structuredClone(crd.schema);
  schema.type = 'object';
  schema.properties = {
    apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
    kind: { type: 'string', description: KIND_DESCRIPTION },
    ...(meta ? { metadata: { allOf: [{ $ref: ref(meta.name) }] } } : {}),
    ...(schema.properties ?? {}),
  };
  return schema;
}

const documents = new Map<string, Record<string, JsonSchema>>();

/** `components.schemas` of one group-version's document: every served kind and what it refers to. */
export function componentSchemas(types: ResourceType[], version: string): Record<string, JsonSchema> {
  const key = `${types.map((t) => `${t.group}/${t.resource}`).join(',')}@${version}`;
  const cached = documents.get(key);
  if (cached) return cached;
  const out = new Map<string, JsonSchema>();
  for (const r of types) {
    if (r.custom) {
      const schema = customSchema(r, version, out);
      const group = r.group.split('.').reverse().join('.');
      if (schema)
        out.set(`${group}.${version}.${r.kind}`, {
          ...schema,
          'x-kubernetes-group-version-kind': gvk(r, version),
        });
      continue;
    }
    const decl = readDeclaration(builtinFile(r, version));
    if (!decl) continue;
    addDefinition(decl, out);
    out.get(decl.name)!['x-kubernetes-group-version-kind'] = gvk(r, version);
  }
  const doc = Object.fromEntries([...out].sort(([a], [b]) => a.localeCompare(b)));
  documents.set(key, doc);
  return doc;
}
