// The image table: how the local cluster turns a container's `image` into a local command.
// An image reference maps to { dir, env, command }, kept in `<stateDir>/images.json`. The file is
// read on every lookup, so an image added while the cluster runs is found at the next pod start.
//
// References are normalised as Docker does before they are stored or looked up: `myapp:1` and
// `docker.io/library/myapp:1` are the same image, a missing tag means `latest`. Nothing else is
// guessed: an unknown reference is an image that cannot be pulled.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../errors.js';

export interface ImageEntry {
  /** Absolute directory the container's process runs in. */
  dir: string;
  /** Environment of the image (like Dockerfile ENV); the container's own env overrides it. */
  env: Record<string, string>;
  /** The command (like Dockerfile CMD), e.g. ['npm', 'start']. */
  command: string[];
}

export interface ImageTable {
  /** The file the table lives in. */
  readonly path: string;
  /** The entry of an image reference, or undefined when the image is unknown. Reads the file. */
  lookup(reference: string): ImageEntry | undefined;
  /** Adds or replaces an image; returns the normalised reference it is stored under. */
  add(reference: string, entry: ImageEntry): string;
  /** Removes an image; false when it was not there. */
  remove(reference: string): boolean;
  /** Every image, sorted by normalised reference. */
  list(): Array<{ reference: string } & ImageEntry>;
}

export const IMAGES_FILE = 'images.json';
export const DEFAULT_IMAGE_COMMAND = ['npm', 'start'];

const DEFAULT_REGISTRY = 'docker.io';

/**
 * Docker's normalisation: `nginx` → `docker.io/library/nginx:latest`, `me/app:1` →
 * `docker.io/me/app:1`, `index.docker.io/...` → `docker.io/...`. A first part with a dot or a
 * colon, or `localhost`, names a registry and is kept. Digests (`@sha256:…`) are kept as given.
 */
export function normalizeImageReference(reference: string): string {
  const ref = reference.trim();
  if (!ref || /\s/.test(ref))
    throw new InputError(`invalid image reference "${reference}"`, {
      remedy: 'use NAME:TAG, e.g. myapp:1.0',
    });
  const at = ref.indexOf('@');
  const withoutDigest = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at) : '';
  const slash = withoutDigest.indexOf('/');
  const first = slash >= 0 ? withoutDigest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : DEFAULT_REGISTRY;
  let path = hasRegistry ? withoutDigest.slice(slash + 1) : withoutDigest;
  if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`;
  const lastPart = path.slice(path.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !digest) path = `${path}:latest`;
  return `${registry}/${path}${digest}`;
}

/** The short form people write: `docker.io/library/x:1` → `x:1`, `docker.io/me/x:1` → `me/x:1`. */
export function familiarImageReference(normalized: string): string {
  return normalized.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

type TableFile = { images: Record<string, ImageEntry> };

function readTable(path: string): TableFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { images: {} };
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<TableFile>;
    return { images: parsed.images ?? {} };
  } catch (err) {
    throw new InputError(`${path} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
      file: path,
      remedy: 'fix the file or delete it and add the images again with `cutover local image add`',
    });
  }
}

function writeTable(path: string, table: TableFile): void {
  mkdirSync(dirname(path), { recursive: true });
  // Write-then-rename so that a pod starting at the same moment never reads half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(table, null, 2) + '\n');
  renameSync(tmp, path);
}

export function openImageTable(stateDir: string): ImageTable {
  const path = join(resolve(stateDir), IMAGES_FILE);
  return {
    path,
    lookup(reference) {
      let key: string;
      try {
        key = normalizeImageReference(reference);
      } catch {
        return undefined; // an unparsable reference is simply an image nobody can pull
      }
      const entry = readTable(path).images[key];
      return entry ? { dir: entry.dir, env: { ...entry.env }, command: [...entry.command] } : undefined;
    },
    add(reference, entry) {
      const key = normalizeImageReference(reference);
      if (entry.command.length === 0) throw new InputError(`image ${reference}: the command is empty`);
      const table = readTable(path);
      table.images[key] = { dir: resolve(entry.dir), env: { ...entry.env }, command: [...entry.command] };
      writeTable(path, table);
      return key;
    },
    remove(reference) {
      const key = normalizeImageReference(reference);
      const table = readTable(path);
      if (!(key in table.images)) return false;
      delete table.images[key];
      writeTable(path, table);
      return true;
    },
    list() {
      const images = readTable(path).images;
      return Object.keys(images)
        .sort()
        .map((reference) => ({ reference, ...images[reference]! }));
    },
  };
}
