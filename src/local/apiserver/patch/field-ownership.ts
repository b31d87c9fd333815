// Field ownership as the real server tracks it in metadata.managedFields
// (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager, sigs.k8s.io/structured-merge-diff):
// - a create, update or non-apply patch gives its manager (`?fieldManager=`, else the client's
//   User-Agent up to the first `/`) an `Update` entry owning every field it set or changed, and
//   takes those fields away from every other manager;
// - an apply that would change a field another manager owns is refused with 409 and one cause
//   per field (`conflict with "kubectl": .data.a`), unless `force`, which takes the fields over;
//   applying the value a field already has makes the appliers co-owners.
import { statusError, type ApiError } from '../../store/api-error.js';
import type { KubeObject } from '../../store/types.js';
import { deepEqual, isMap, type JsonMap } from './json-value.js';
import { fieldSetOf, member, type FieldSet } from './managed-fields.js';
import { listStrategy } from './merge-keys.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldSet;
  subresource?: string;
}

/** Server-managed metadata: never owned by anyone. */
const SYSTEM_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

export function managedEntries(obj: KubeObject | undefined): ManagedFieldsEntry[] {
  const list = obj?.metadata?.managedFields;
  return Array.isArray(list) ? (list.filter(isMap) as ManagedFieldsEntry[]) : [];
}

/** The manager of a non-apply request: `?fieldManager=`, else the User-Agent's first segment (as prefixFromUserAgent). */
export function updateManager(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  return (userAgent ?? '').split('/')[0]!.slice(0, 128);
}

/** Fields `next` sets that `old` did not have with the same value (FieldsV1). */
export function changedFields(kind: string, old: unknown, next: unknown, path: string[] = []): FieldSet {
  const set: FieldSet = {};
  if (!isMap(next)) return set;
  const before = isMap(old) ? old : {};
  for (const [key, value] of Object.entries(next)) {
    if (path.length === 0 && (key === 'apiVersion' || key === 'kind')) continue;
    if (path.length === 1 && path[0] === 'metadata' && SYSTEM_METADATA.has(key)) continue;
    const sub = changedValue(kind, before[key], value, [...path, key], key in before);
    if (sub !== undefined) set[`f:${key}`] = sub;
  }
  return set;
}

function changedValue(
  kind: string,
  old: unknown,
  value: unknown,
  path: string[],
  had: boolean,
): FieldSet | undefined {
  if (had && deepEqual(old, value)) return undefined;
  if (isMap(value)) {
    const sub = changedFields(kind, old, value, path);
    return Object.keys(sub).length || !had ? sub : undefined;
  }
  if (!Array.isArray(value)) return {};
  const strategy = listStrategy(kind, path);
  const before = Array.isArray(old) ? old : [];
  if (strategy.type === 'set') {
    const added = value.filter((v) => !before.some((b) => deepEqual(b, v)));
    return Object.fromEntries(added.map((v) => [`v:${JSON.stringify(v)}`, {}]));
  }
  if (strategy.type !== 'merge') return {};
  const set: FieldSet = {};
  for (const item of value) {
    if (!isMap(item) || item[strategy.key] === undefined) continue;
    const prior = before.find((b) => isMap(b) && deepEqual(b[strategy.key], item[strategy.key]));
    if (prior !== undefined && deepEqual(prior, item)) continue;
    const sub = changedFields(kind, prior, item, path);
    set[`k:${JSON.stringify({ [strategy.key]: item[strategy.key] })}`] = prior ? sub : { '.': {}, ...sub };
  }
  return set;
}

/** Every owned path (as member keys) of a field set: leaves and `.` markers of list items. */
export function leafPaths(set: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, sub] of Object.entries(set)) {
    if (key === '.') {
      out.push(prefix);
      continue;
    }
    const children = isMap(sub) ? Object.keys(sub) : [];
    if (children.length === 0) out.push([...prefix, key]);
    else out.push(...leafPaths(sub as FieldSet, [...prefix, key]));
  }
  return out;
}

function has(set: FieldSet, path: string[]): boolean {
  let node: unknown = set;
  for (const key of path) {
    if (!isMap(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}

/** Removes `path` from a field set, and parents left empty. */
function remove(set: FieldSet, path: string[]): void {
  if (path.length === 0) return;
  const [head, ...rest] = path;
  const child = set[head!];
  if (!isMap(child)) return;
  if (rest.length === 0) {
    if (Object.keys(child).filter((k) => k !== '.').length === 0) delete set[head!];
    else delete child['.'];
    return;
  }
  remove(child as FieldSet, rest);
  if (Object.keys(child).length === 0) delete set[head!];
}

function valueAt(obj: unknown, path: string[]): unknown {
  let node = obj;
  for (const key of path) node = member(node, key);
  return node;
}

/** `.spec.template.spec.containers[name="web"].image`, as fieldpath.Path prints it. */
export function renderPath(path: string[]): string {
  let out = '';
  for (const key of path) {
    const body = key.slice(2);
    if (key.startsWith('f:')) out += `.${body}`;
    else if (key.startsWith('v:')) out += `[=${body}]`;
    else if (key.startsWith('k:')) {
      const parsed = JSON.parse(body) as JsonMap;
      out += `[${Object.entries(parsed)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
  }
  return out;
}

function describeManager(e: ManagedFieldsEntry): string {
  let out = JSON.stringify(e.manager ?? '');
  if (e.subresource) out += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') out += ` using ${e.apiVersion ?? ''}`;
  return out;
}

interface Conflict {
  entry: ManagedFieldsEntry;
  path: string[];
}

/**
 * The fields of `applied` that other managers own with another value than the apply leaves.
 * With `force` they are taken from those managers; otherwise they are a 409 (thrown).
 */
export function resolveApplyConflicts(
  live: KubeObject | undefined,
  merged: KubeObject,
  applied: FieldSet,
  others: ManagedFieldsEntry[],
  force: boolean,
): void {
  const conflicts: Conflict[] = [];
  for (const entry of others) {
    if (!entry.fieldsV1) continue;
    for (const path of leafPaths(applied)) {
      if (!has(entry.fieldsV1, path)) continue;
      if (!modified(live, merged, path)) continue;
      conflicts.push({ entry, path });
    }
  }
  if (conflicts.length === 0) return;
  if (!force) throw conflictError(conflicts);
  for (const c of conflicts) remove(c.entry.fieldsV1!, c.path);
}

// A keyed list item counts as itself only for existing or not (its fields are compared one by
// one), as structured-merge-diff's comparison reports only changed leaves, added and removed items.
function modified(live: unknown, merged: unknown, path: string[]): boolean {
  const before = valueAt(live, path);
  const after = valueAt(merged, path);
  if (path[path.length - 1]?.startsWith('k:')) return (before === undefined) !== (after === undefined);
  return !deepEqual(before, after);
}

function conflictError(conflicts: Conflict[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.entry)}`,
    field: renderPath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0]!.entry)}: ${renderPath(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const key = describeManager(c.entry);
      byManager.set(key, [...(byManager.get(key) ?? []), renderPath(c.path)]);
    }
    const lines: string[] = [];
    for (const manager of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${manager}:`);
      for (const p of byManager.get(manager)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return statusError(409, 'Conflict', message, { causes });
}

/**
 * managedFields after a create, update or non-apply patch by `manager`: it owns what it changed,
 * nobody else does, and entries left owning nothing are dropped.
 */
export function recordUpdate(
  kind: string,
  old: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  apiVersion: string,
  now: Date,
  subresource?: string,
): void {
  const scope = (o: KubeObject | undefined): JsonMap | undefined =>
    subresource === 'status' ? (o ? { status: o.status } : undefined) : (o as JsonMap | undefined);
  const changed = changedFields(kind, scope(old), scope(next));
  // A write that changes nothing leaves managedFields as they were, so it stays a no-op
  // (no new resourceVersion, `patched (no change)`).
  if (old && Object.keys(changed).length === 0 && noneRemoved(old, next, subresource)) {
    if (old.metadata.managedFields) next.metadata.managedFields = old.metadata.managedFields;
    else delete next.metadata.managedFields;
    return;
  }
  const entries: ManagedFieldsEntry[] = managedEntries(old).map((e) => ({
    ...e,
    fieldsV1: e.fieldsV1 ? (structuredClone(e.fieldsV1) as FieldSet) : undefined,
  }));
  for (const path of leafPaths(changed))
    for (const e of entries) if (e.fieldsV1 && has(e.fieldsV1, path)) remove(e.fieldsV1, path);
  // Fields the write removed are owned by nobody any more.
  for (const e of entries) {
    if (!e.fieldsV1 || (e.subresource ?? '') !== (subresource ?? '')) continue;
    for (const path of leafPaths(e.fieldsV1))
      if (path.length && valueAt(next, path) === undefined) remove(e.fieldsV1, path);
  }
  const mine = entries.find(
    (e) => e.manager === manager && e.operation === 'Update' && (e.subresource ?? '') === (subresource ?? ''),
  );
  const kept = entries.filter((e) => e !== mine && e.fieldsV1 && Object.keys(e.fieldsV1).length > 0);
  if (mine || Object.keys(changed).length > 0) {
    const fields = mergeSets(mine?.fieldsV1 ?? {}, changed);
    if (Object.keys(fields).length > 0) {
      const entry: ManagedFieldsEntry = {
        manager,
        operation: 'Update',
        apiVersion,
        time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        fieldsType: 'FieldsV1',
        fieldsV1: fields,
      };
      if (subresource) entry.subresource = subresource;
      kept.push(entry);
    }
  }
  if (kept.length) next.metadata.managedFields = kept;
  else delete next.metadata.managedFields;
}

function noneRemoved(old: KubeObject, next: KubeObject, subresource?: string): boolean {
  for (const e of managedEntries(old)) {
    if (!e.fieldsV1 || (e.subresource ?? '') !== (subresource ?? '')) continue;
    for (const path of leafPaths(e.fieldsV1))
      if (path.length && valueAt(next, path) === undefined) return false;
  }
  return true;
}

function mergeSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] = isMap(out[k]) && isMap(v) ? mergeSets(out[k] as FieldSet, v as FieldSet) : v;
  return out;
}

export { fieldSetOf };
