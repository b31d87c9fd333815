// A freshly initialised PGlite data directory, cached as a tarball.
//
// Why: PGlite runs initdb in WebAssembly on every fresh start, which takes 3-7 s on a small
// machine. Loading an initialised data directory from a tarball takes under 1 s. The first start
// on a machine builds the tarball once; every later start (in memory or into an empty dataDir)
// loads it. The file name carries the PGlite version, so an upgrade builds a new one.
//
// What must stay true: the tarball is written to a temporary name and renamed into place, so
// processes starting at the same time never read a half-written file.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const require = createRequire(import.meta.url);

/** Default cache folder; override with `templateDir` or env CUTOVER_PGLITE_TEMPLATE_DIR. */
export function defaultTemplateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CUTOVER_PGLITE_TEMPLATE_DIR || join(tmpdir(), 'cutover-pglite-template');
}

// The package does not export its package.json, so find it above the resolved entry point.
function pgliteVersion(): string {
  let dir = dirname(require.resolve('@electric-sql/pglite'));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export function templatePath(templateDir: string): string {
  return join(templateDir, `pglite-${pgliteVersion()}-initdb.tar`);
}

/** The cached tarball of an initialised cluster, built on first use. */
export async function loadTemplate(templateDir: string): Promise<Blob> {
  const file = templatePath(templateDir);
  const cached = await readIfExists(file);
  if (cached) return new Blob([cached]);
  const fresh = await PGlite.create();
  try {
    const dump = await fresh.dumpDataDir('none');
    const bytes = new Uint8Array(await dump.arrayBuffer());
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return new Blob([bytes]);
  } finally {
    await fresh.close();
  }
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
