// RFC 7386 JSON merge patch: maps merge recursively, null deletes, everything else (lists
// included) replaces. This is what kubectl sends for custom resources.
import { clone, isMap, type JsonMap } from './json-value.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const result: JsonMap = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}
