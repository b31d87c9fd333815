// The pure modules the server calls: patch, validation and Table output. They are looked up at
// start-up; while one is not in the tree yet the server uses the narrow fallback below, which is
// named in every response it affects (a Warning header), so nobody mistakes it for the real thing.
import { existsSync } from 'node:fs';
import type { ResourceType } from '../resources.js';
import type { KubeObject } from '../store/types.js';
import { applyPatch as applyPatchImpl } from './patch/index.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ValidationResult {
  causes: Array<{ reason: string; message: string; field?: string }>;
  warnings: string[];
}

export interface ApiModules {
  applyPatch: typeof applyPatchImpl;
  validateObject(type: ResourceType, obj: KubeObject, opts: { fieldValidation?: FieldValidation }): ValidationResult;
  toTable(type: ResourceType, objects: KubeObject[], opts: { resourceVersion: string }): object;
}

// Present as source (run through tsx) or compiled (dist/): either file means the module exists,
// and then any failure to load it is a real error, not a reason to fall back.
async function optionalModule<T>(dir: string): Promise<T | undefined> {
  const ts = new URL(`./${dir}/index.ts`, import.meta.url);
  const js = new URL(`./${dir}/index.js`, import.meta.url);
  if (!existsSync(ts) && !existsSync(js)) return undefined;
  return (await import(`./${dir}/index.js`)) as T;
}

export async function loadModules(): Promise<ApiModules> {
  const validation = await optionalModule<Pick<ApiModules, 'validateObject'>>('validation');
  const tables = await optionalModule<Pick<ApiModules, 'toTable'>>('tables');
  return {
    applyPatch: applyPatchImpl,
    validateObject: validation?.validateObject ?? fallbackValidate,
    toTable: tables?.toTable ?? fallbackTable,
  };
}

// TODO(validation module): replaced by ./validation/index.js once present; checks names only.
function fallbackValidate(_type: ResourceType, obj: KubeObject): ValidationResult {
  const name = obj.metadata?.name ?? '';
  const ok = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) && name.length <= 253;
  const causes = ok
    ? []
    : [
        {
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
          field: 'metadata.name',
        },
      ];
  return { causes, warnings: [] };
}

// TODO(tables module): replaced by ./tables/index.js once present; NAME and AGE only.
function fallbackTable(_type: ResourceType, objects: KubeObject[], opts: { resourceVersion: string }): object {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: opts.resourceVersion },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp of the object.', priority: 0 },
    ],
    rows: objects.map((o) => ({
      cells: [o.metadata.name, o.metadata.creationTimestamp],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
