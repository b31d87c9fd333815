// Server-side apply (`application/apply-patch+yaml`): the body is the manager's whole intent as
// YAML or JSON. It is merged into the live object (maps by field, keyed lists by key, other lists
// replaced), creates the object when there is none (kubectl --server-side sends no GET first),
// removes fields the same manager applied before and no longer applies, and records the
// manager's fields in metadata.managedFields. A field another manager owns with another value
// is a 409 conflict unless `force` (field-ownership.ts).
import type { KubeObject } from '../../store/types.js';
import { clone, isMap, type JsonMap } from './json-value.js';
import { fieldSetOf, removeDropped } from './managed-fields.js';
import { managedEntries, resolveApplyConflicts, type ManagedFieldsEntry } from './field-ownership.js';
import { listStrategy } from './merge-keys.js';
import { parseYamlDocument, YamlDocumentError } from './yaml-document.js';

export class ApplyDecodeError extends Error {}

export function decodeApplyBody(text: string): JsonMap {
  let doc: unknown;
  try {
    doc = parseYamlDocument(text);
  } catch (err) {
    if (err instanceof YamlDocumentError)
      throw new ApplyDecodeError(`error decoding YAML: ${err.message}`, { cause: err });
    throw err;
  }
  if (!isMap(doc)) throw new ApplyDecodeError('error decoding YAML: the body is not a YAML or JSON object');
  return doc;
}

export function serverSideApply(
  kind: string,
  current: KubeObject | undefined,
  config: JsonMap,
  manager: string,
  now: Date,
  force = false,
): KubeObject {
  const base: JsonMap = current ? clone(current) : {};
  const merged = applyMerge(kind, base, withoutManagedFields(config), []) as KubeObject;
  const entries = clone(managedEntries(current) as unknown as JsonMap[]) as ManagedFieldsEntry[];
  const previous = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const next = fieldSetOf(kind, config);
  resolveApplyConflicts(
    current,
    merged,
    next,
    entries.filter((e) => e !== previous),
    force,
  );
  if (previous?.fieldsV1) {
    const others = entries.filter((e) => e !== previous && e.fieldsV1).map((e) => e.fieldsV1!);
    removeDropped(merged, previous.fieldsV1, next, others);
  }
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion: String(config.apiVersion ?? current?.apiVersion ?? ''),
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    fieldsType: 'FieldsV1',
    fieldsV1: next,
  };
  const others = entries.filter((e) => e !== previous && (!e.fieldsV1 || Object.keys(e.fieldsV1).length));
  merged.metadata = {
    ...(merged.metadata ?? {}),
    managedFields: [...others, entry],
  } as KubeObject['metadata'];
  return merged;
}

function withoutManagedFields(config: JsonMap): JsonMap {
  if (!isMap(config.metadata) || !('managedFields' in config.metadata)) return config;
  const { managedFields: _m, ...metadata } = config.metadata;
  return { ...config, metadata };
}

function applyMerge(kind: string, live: unknown, config: unknown, path: string[]): unknown {
  if (isMap(config)) {
    const result: JsonMap = isMap(live) ? { ...live } : {};
    for (const [key, value] of Object.entries(config)) {
      if (value === null) delete result[key];
      else result[key] = applyMerge(kind, result[key], value, [...path, key]);
    }
    return result;
  }
  if (Array.isArray(config)) return applyList(kind, Array.isArray(live) ? live : [], config, path);
  return config;
}

function applyList(kind: string, live: unknown[], config: unknown[], path: string[]): unknown[] {
  const strategy = listStrategy(kind, path);
  if (strategy.type === 'set')
    return [...live, ...config.filter((v) => !live.some((l) => JSON.stringify(l) === JSON.stringify(v)))];
  if (strategy.type !== 'merge') return clone(config);
  const result = [...live];
  for (const item of config) {
    const i = isMap(item)
      ? result.findIndex(
          (l) => isMap(l) && JSON.stringify(l[strategy.key]) === JSON.stringify(item[strategy.key]),
        )
      : -1;
    if (i >= 0) result[i] = applyMerge(kind, result[i], item, path);
    else result.push(applyMerge(kind, undefined, item, path));
  }
  return result;
}
