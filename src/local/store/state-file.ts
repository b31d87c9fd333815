// The store's state on disk: one JSON file, replaced atomically (write a temp file, fsync it,
// rename it over the old one, fsync the directory), so a crash leaves either the old or the new
// state, never a mix. A file that does not parse is reported with its path and never overwritten:
// the user decides whether to move it away.
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import type { KubeObject } from './types.js';

export const STATE_FILE_NAME = 'objects.json';
const FORMAT_VERSION = 1;

export interface PersistedState {
  resourceVersion: number;
  /** `group/resource` → objects. */
  objects: Record<string, KubeObject[]>;
}

export function stateFilePath(stateDir: string): string {
  return join(stateDir, STATE_FILE_NAME);
}

/** Reads the state file; undefined when there is none yet. Throws InputError naming the file when it is corrupt. */
export async function readStateFile(stateDir: string): Promise<PersistedState | undefined> {
  const file = stateFilePath(stateDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read the local cluster's state file ${file}: ${(err as Error).message}`, {
      cause: err,
      file,
    });
  }
  return parseState(text, file);
}

function parseState(text: string, file: string): PersistedState {
  const remedy = `Move ${file} away to start with an empty cluster, or restore it from a backup.`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const why =
      text.trim() === ''
        ? 'it is empty (half-written?)'
        : `it is not valid JSON (${(err as Error).message}; half-written?)`;
    throw new InputError(`the local cluster's state file ${file} is corrupt: ${why}`, {
      cause: err,
      file,
      remedy,
    });
  }
  const problem = shapeProblem(data);
  if (problem)
    throw new InputError(`the local cluster's state file ${file} is corrupt: ${problem}`, { file, remedy });
  const d = data as { resourceVersion: number; objects: Record<string, KubeObject[]> };
  return { resourceVersion: d.resourceVersion, objects: d.objects };
}

function shapeProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return 'the top level is not an object';
  const d = data as Record<string, unknown>;
  if (d.formatVersion !== FORMAT_VERSION)
    return `unknown formatVersion ${JSON.stringify(d.formatVersion)} (expected ${FORMAT_VERSION})`;
  if (!Number.isSafeInteger(d.resourceVersion) || (d.resourceVersion as number) < 0)
    return 'resourceVersion is not a non-negative integer';
  if (typeof d.objects !== 'object' || d.objects === null || Array.isArray(d.objects))
    return '"objects" is not an object';
  for (const [key, list] of Object.entries(d.objects as Record<string, unknown>)) {
    if (!Array.isArray(list)) return `objects["${key}"] is not a list`;
    const bad = list.findIndex(
      (o) => typeof o !== 'object' || o === null || typeof (o as KubeObject).metadata?.name !== 'string',
    );
    if (bad >= 0) return `objects["${key}"][${bad}] has no metadata.name`;
  }
  return undefined;
}

// Two stores in one process (tests) must not share a temp file.
let tempCounter = 0;

/** The state as stored: each object already serialized. */
export interface SerializedState {
  resourceVersion: number;
  objects: Record<string, string[]>;
}

function stateText(state: SerializedState): string {
  const groups = Object.entries(state.objects).map(
    ([key, list]) => `${JSON.stringify(key)}:[${list.join(',')}]`,
  );
  return `{"formatVersion":${FORMAT_VERSION},"resourceVersion":${state.resourceVersion},"objects":{${groups.join(',')}}}`;
}

/** Writes the state atomically. */
export async function writeStateFile(stateDir: string, state: SerializedState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const file = stateFilePath(stateDir);
  const tmp = `${file}.tmp-${process.pid}-${++tempCounter}`;
  const text = stateText(state);
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(stateDir);
}

// Makes the rename itself durable. Some filesystems refuse fsync on a directory; the rename has
// then still happened, only its durability across power loss is up to the filesystem.
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    await handle?.close();
  }
}
