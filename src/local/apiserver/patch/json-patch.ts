// RFC 6902 JSON patch. Error texts follow github.com/evanphx/json-patch, which the real server
// wraps: a malformed patch document is a 400, an operation that cannot apply is a 422.
import { clone, deepEqual, isMap, type JsonMap } from './json-value.js';

export class JsonPatchDecodeError extends Error {}
export class JsonPatchApplyError extends Error {}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

const MAX_OPERATIONS = 10000;

export function decodeJsonPatch(doc: unknown): Operation[] {
  if (!Array.isArray(doc))
    throw new JsonPatchDecodeError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  if (doc.length > MAX_OPERATIONS) {
    throw new JsonPatchDecodeError(
      `The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${doc.length}`,
    );
  }
  return doc.map((op) => {
    if (!isMap(op))
      throw new JsonPatchDecodeError(
        'json: cannot unmarshal non-object into Go value of type jsonpatch.Operation',
      );
    return op as unknown as Operation;
  });
}

export function applyJsonPatch(document: unknown, operations: Operation[]): unknown {
  let doc = clone(document);
  for (const op of operations) doc = applyOne(doc, op);
  return doc;
}

function applyOne(doc: unknown, op: Operation): unknown {
  if (typeof op.path !== 'string') throw new JsonPatchApplyError(`${op.op} operation missing path`);
  switch (op.op) {
    case 'add':
      return add(doc, op.path, requireValue(op), 'add');
    case 'remove':
      return remove(doc, op.path);
    case 'replace':
      return replace(doc, op.path, requireValue(op));
    case 'move': {
      const from = requireFrom(op);
      const value = get(doc, from, 'move');
      return add(remove(doc, from), op.path, value, 'move');
    }
    case 'copy':
      return add(doc, op.path, clone(get(doc, requireFrom(op), 'copy')), 'copy');
    case 'test':
      return test(doc, op);
    default:
      throw new JsonPatchApplyError(`Unexpected kind: ${String(op.op)}`);
  }
}

function requireValue(op: Operation): unknown {
  if (!('value' in op)) throw new JsonPatchApplyError(`${op.op} operation missing value`);
  return clone(op.value);
}

function requireFrom(op: Operation): string {
  if (typeof op.from !== 'string') throw new JsonPatchApplyError(`${op.op} operation missing from`);
  return op.from;
}

function test(doc: unknown, op: Operation): unknown {
  let actual: unknown;
  try {
    actual = get(doc, op.path, 'test');
  } catch {
    actual = undefined;
  }
  if (actual === undefined && op.value === null) return doc;
  if (!deepEqual(actual, op.value))
    throw new JsonPatchApplyError(`testing value ${op.path} failed: test failed`);
  return doc;
}

function splitPointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchApplyError(`invalid JSON pointer: "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Walks to the container of the last token; throws the "doc is missing path" error of evanphx. */
function parentOf(doc: unknown, path: string, opName: string): { parent: unknown; key: string } {
  const parts = splitPointer(path);
  if (parts.length === 0)
    throw new JsonPatchApplyError(`${opName} operation does not apply: doc is missing path: "${path}"`);
  let node: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    node = child(node, part);
    if (node === undefined)
      throw new JsonPatchApplyError(
        `${opName} operation does not apply: doc is missing path: "${path}": missing value`,
      );
  }
  return { parent: node, key: parts[parts.length - 1]! };
}

function child(node: unknown, part: string): unknown {
  if (Array.isArray(node)) {
    const i = arrayIndex(part, node.length - 1);
    return i === undefined ? undefined : node[i];
  }
  if (isMap(node) && Object.prototype.hasOwnProperty.call(node, part)) return node[part];
  return undefined;
}

function arrayIndex(part: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(part)) return undefined;
  const i = Number(part);
  return i <= max ? i : undefined;
}

function get(doc: unknown, path: string, opName: string): unknown {
  let node = doc;
  for (const part of splitPointer(path)) {
    node = child(node, part);
    if (node === undefined)
      throw new JsonPatchApplyError(
        `${opName} operation does not apply: doc is missing path: "${path}": missing value`,
      );
  }
  return node;
}

function add(doc: unknown, path: string, value: unknown, opName: string): unknown {
  if (path === '') return value;
  const { parent, key } = parentOf(doc, path, opName);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : arrayIndex(key, parent.length);
    if (i === undefined)
      throw new JsonPatchApplyError(`Unable to access invalid index: ${key}: invalid index referenced`);
    parent.splice(i, 0, value);
  } else if (isMap(parent)) {
    (parent as JsonMap)[key] = value;
  } else {
    throw new JsonPatchApplyError(
      `${opName} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  }
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, path, 'remove');
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length - 1);
    if (i === undefined)
      throw new JsonPatchApplyError(`Unable to remove nonexistent key: ${key}: missing value`);
    parent.splice(i, 1);
  } else if (isMap(parent) && Object.prototype.hasOwnProperty.call(parent, key)) {
    delete parent[key];
  } else {
    throw new JsonPatchApplyError(`Unable to remove nonexistent key: ${key}: missing value`);
  }
  return doc;
}

function replace(doc: unknown, path: string, value: unknown): unknown {
  if (path === '') return value;
  const { parent, key } = parentOf(doc, path, 'replace');
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length - 1);
    if (i === undefined)
      throw new JsonPatchApplyError(
        `replace operation does not apply: doc is missing key: ${path}: missing value`,
      );
    parent[i] = value;
  } else if (isMap(parent) && Object.prototype.hasOwnProperty.call(parent, key)) {
    parent[key] = value;
  } else {
    throw new JsonPatchApplyError(
      `replace operation does not apply: doc is missing key: ${path}: missing value`,
    );
  }
  return doc;
}
