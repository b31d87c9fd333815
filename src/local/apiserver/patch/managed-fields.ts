// A minimal model of server-side apply's field ownership (sigs.k8s.io/structured-merge-diff):
// the set of fields a manager applied, in the FieldsV1 encoding the real server stores in
// metadata.managedFields. It is what lets a re-apply that drops a field remove it.
import { isMap, type JsonMap } from './json-value.js';
import { listStrategy } from './merge-keys.js';

export type FieldSet = Record<string, unknown>;

/** FieldsV1 of an applied configuration: `f:<field>`, `k:{"name":"web"}` for keyed list items, `v:"x"` for set items. */
export function fieldSetOf(kind: string, config: JsonMap, path: string[] = []): FieldSet {
  const set: FieldSet = {};
  for (const [key, value] of Object.entries(config)) {
    if (path.length === 0 && (key === 'apiVersion' || key === 'kind')) continue;
    if (
      path.length === 1 &&
      path[0] === 'metadata' &&
      (key === 'name' || key === 'namespace' || key === 'managedFields')
    )
      continue;
    const sub = valueFieldSet(kind, value, [...path, key]);
    // metadata with only name/namespace owns nothing, as in the real server's FieldsV1.
    if (path.length === 0 && key === 'metadata' && Object.keys(sub).length === 0) continue;
    set[`f:${key}`] = sub;
  }
  return set;
}

function valueFieldSet(kind: string, value: unknown, path: string[]): FieldSet {
  if (isMap(value)) return fieldSetOf(kind, value, path);
  if (!Array.isArray(value)) return {};
  const strategy = listStrategy(kind, path);
  if (strategy.type === 'set') return Object.fromEntries(value.map((v) => [`v:${JSON.stringify(v)}`, {}]));
  if (strategy.type !== 'merge') return {};
  const set: FieldSet = {};
  for (const item of value) {
    if (!isMap(item) || item[strategy.key] === undefined) continue;
    set[`k:${JSON.stringify({ [strategy.key]: item[strategy.key] })}`] = {
      '.': {},
      ...fieldSetOf(kind, item, path),
    };
  }
  return set;
}

/**
 * Removes from `node` the fields in `previous` that are not in `next`: what the manager applied
 * before and no longer applies. Fields that other managers own (`keep`) stay.
 */
export function removeDropped(node: unknown, previous: FieldSet, next: FieldSet, keep: FieldSet[]): void {
  for (const [key, sub] of Object.entries(previous)) {
    if (key === '.') continue;
    const keepSubs = keep.map((k) => k[key]).filter(isMap) as FieldSet[];
    const nextSub = next[key];
    if (nextSub === undefined && keepSubs.length === 0) {
      removeMember(node, key);
      continue;
    }
    const child = member(node, key);
    if (isMap(sub) && Object.keys(sub).length > 0 && child !== null && typeof child === 'object') {
      removeDropped(child, sub, isMap(nextSub) ? nextSub : {}, keepSubs);
    }
  }
}

export function member(node: unknown, key: string): unknown {
  if (key.startsWith('f:')) return isMap(node) ? node[key.slice(2)] : undefined;
  if (!Array.isArray(node)) return undefined;
  const i = indexOfMember(node, key);
  return i < 0 ? undefined : node[i];
}

function removeMember(node: unknown, key: string): void {
  if (key.startsWith('f:')) {
    if (isMap(node)) delete node[key.slice(2)];
    return;
  }
  if (!Array.isArray(node)) return;
  const i = indexOfMember(node, key);
  if (i >= 0) node.splice(i, 1);
}

function indexOfMember(list: unknown[], key: string): number {
  const parsed = safeParse(key.slice(2));
  if (key.startsWith('v:')) return list.findIndex((v) => JSON.stringify(v) === JSON.stringify(parsed));
  if (!key.startsWith('k:') || !isMap(parsed)) return -1;
  return list.findIndex(
    (item) =>
      isMap(item) && Object.entries(parsed).every(([k, v]) => JSON.stringify(item[k]) === JSON.stringify(v)),
  );
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A key we did not write (another tool's FieldsV1): it matches nothing.
    return undefined;
  }
}
