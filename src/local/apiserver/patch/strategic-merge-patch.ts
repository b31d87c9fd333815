// Strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch) for the built-in kinds:
// lists with a merge key merge element by element, `finalizers` merge as a set, other lists are
// replaced. Directives: `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>`,
// `$deleteFromPrimitiveList/<list>`. kubectl's client-side apply sends these shapes for every
// built-in kind, e.g. an image change that must keep the container's ports.
import { clone, deepEqual, isMap, type JsonMap } from './json-value.js';
import { listStrategy, type ListStrategy } from './merge-keys.js';

export class StrategicPatchError extends Error {}

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

export function strategicMergePatch(kind: string, original: JsonMap, patch: unknown): JsonMap {
  if (!isMap(patch))
    throw new StrategicPatchError(
      'json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
  const merged = mergeMap(kind, original, patch, []);
  if (merged === undefined)
    throw new StrategicPatchError('Unable to delete the object: $patch: delete at the root');
  return merged;
}

function mergeMap(kind: string, original: JsonMap, patch: JsonMap, path: string[]): JsonMap | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(kind, patch, path);
  if (directive !== undefined && directive !== 'merge') {
    throw new StrategicPatchError(
      `Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`,
    );
  }
  const result: JsonMap = { ...original };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      deleteFromPrimitiveList(result, key.slice(DELETE_PRIMITIVE.length), value);
      continue;
    }
    mergeField(kind, result, key, value, [...path, key], patch);
  }
  applyRetainKeys(result, patch.$retainKeys);
  return result;
}

function mergeField(
  kind: string,
  result: JsonMap,
  key: string,
  value: unknown,
  path: string[],
  patch: JsonMap,
): void {
  if (value === null) {
    delete result[key];
    return;
  }
  const current = result[key];
  if (isMap(value)) {
    const merged = mergeMap(kind, isMap(current) ? current : {}, value, path);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
    return;
  }
  if (Array.isArray(value)) {
    const order = patch[SET_ORDER + key];
    result[key] = mergeList(kind, Array.isArray(current) ? current : [], value, path, order);
    return;
  }
  result[key] = value;
}

function mergeList(
  kind: string,
  original: unknown[],
  patch: unknown[],
  path: string[],
  order: unknown,
): unknown[] {
  const strategy = listStrategy(kind, path);
  if (strategy.type === 'replace') return clone(patch);
  if (strategy.type === 'set') return orderPrimitives(union(original, patch), order);
  return mergeByKey(kind, original, patch, path, strategy, order);
}

function mergeByKey(
  kind: string,
  original: unknown[],
  patch: unknown[],
  path: string[],
  s: Extract<ListStrategy, { type: 'merge' }>,
  order: unknown,
): unknown[] {
  if (patch.some((p) => isMap(p) && p.$patch === 'replace')) {
    return patch
      .filter((p) => !(isMap(p) && p.$patch === 'replace'))
      .map((p) => stripDirectives(kind, p as JsonMap, path));
  }
  const result = original.map((o) => clone(o));
  for (const item of patch) {
    if (!isMap(item))
      throw new StrategicPatchError(
        `unable to find api field in struct for the list ${path.join('.')}: element is not a map`,
      );
    if (!(s.key in item))
      throw new StrategicPatchError(
        `map: ${JSON.stringify(item)} does not contain declared merge key: ${s.key}`,
      );
    const index = result.findIndex((o) => isMap(o) && deepEqual(o[s.key], item[s.key]));
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const merged = mergeMap(kind, index >= 0 ? (result[index] as JsonMap) : {}, item, path);
    if (index >= 0) result[index] = merged;
    else result.push(merged);
  }
  return orderByKey(result, s.key, order);
}

/** Items named in `$setElementOrder` come in that order; items the patch did not mention keep their relative order after them. */
function orderByKey(items: unknown[], key: string, order: unknown): unknown[] {
  if (!Array.isArray(order)) return items;
  const keyed = order.filter(isMap).map((o) => o[key]);
  const rank = (item: unknown): number => {
    const i = isMap(item) ? keyed.findIndex((k) => deepEqual(k, item[key])) : -1;
    return i < 0 ? keyed.length : i;
  };
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

function orderPrimitives(items: unknown[], order: unknown): unknown[] {
  if (!Array.isArray(order)) return items;
  const rank = (v: unknown): number => {
    const i = order.findIndex((o) => deepEqual(o, v));
    return i < 0 ? order.length : i;
  };
  return items
    .map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

function union(original: unknown[], patch: unknown[]): unknown[] {
  const result = [...original];
  for (const v of patch) if (!result.some((o) => deepEqual(o, v))) result.push(v);
  return result;
}

function deleteFromPrimitiveList(result: JsonMap, key: string, values: unknown): void {
  if (!Array.isArray(values))
    throw new StrategicPatchError('invalid patch: $deleteFromPrimitiveList must be a list');
  const current = result[key];
  if (!Array.isArray(current)) return;
  result[key] = current.filter((v) => !values.some((d) => deepEqual(d, v)));
}

function applyRetainKeys(result: JsonMap, retain: unknown): void {
  if (retain === undefined) return;
  if (!Array.isArray(retain)) throw new StrategicPatchError('invalid patch: $retainKeys must be a list');
  for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
}

/** A value taken whole from the patch still must not carry directives into the stored object. */
function stripDirectives(kind: string, value: JsonMap, path: string[]): JsonMap {
  const { $patch: _p, ...rest } = value;
  return mergeMap(kind, {}, rest, path) ?? {};
}
