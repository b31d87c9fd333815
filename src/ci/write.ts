// Writing planned CI files. What a user expects from a generator that writes into their
// repository: a missing file is created, an identical one is left alone, and a file that differs
// (hand edits, or a different cutover.yaml) is not overwritten unless asked (--force), because it
// may hold changes the user wants to keep. All files are checked before any is written, so a
// refusal leaves the repository as it was.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { lineDiff } from './line-diff.js';
import type { CiFiles } from './plan.js';

export type WriteOutcome = 'created' | 'unchanged' | 'updated';

export interface WrittenFile {
  path: string;
  outcome: WriteOutcome;
}

/** What `--check` finds: words for a file nobody wrote (never "created" or "updated"). */
export type CheckState = 'missing' | 'differs' | 'up to date';

export interface CheckedFile {
  path: string;
  state: CheckState;
  /** For a file that differs: the changed lines, as `diff -u` would show them. */
  diff?: string;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** What writing would do to each file, without writing. */
export async function compareCiFiles(root: string, files: CiFiles): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  for (const [path, content] of Object.entries(files)) {
    const current = await readIfExists(join(root, path));
    const outcome: WriteOutcome =
      current === undefined ? 'created' : current === content ? 'unchanged' : 'updated';
    out.push({ path, outcome });
  }
  return out;
}

/** Compares the files on disk with the planned ones, writing nothing. */
export async function checkCiFiles(root: string, files: CiFiles): Promise<CheckedFile[]> {
  const out: CheckedFile[] = [];
  for (const [path, content] of Object.entries(files)) {
    const current = await readIfExists(join(root, path));
    if (current === undefined) out.push({ path, state: 'missing' });
    else if (current === content) out.push({ path, state: 'up to date' });
    else out.push({ path, state: 'differs', diff: lineDiff(current, content, path) });
  }
  return out;
}

export async function writeCiFiles(
  root: string,
  files: CiFiles,
  options: { force: boolean },
): Promise<WrittenFile[]> {
  const plan = await compareCiFiles(root, files);
  const differing = plan.filter((f) => f.outcome === 'updated').map((f) => f.path);
  if (differing.length > 0 && !options.force) {
    throw new InputError(
      `${differing.join(', ')} already exist${differing.length === 1 ? 's' : ''} with other content; nothing was written`,
      {
        remedy:
          'review them (git diff after writing), then re-run with --force to overwrite, or use --out DIR to write elsewhere',
      },
    );
  }
  for (const { path, outcome } of plan) {
    if (outcome === 'unchanged') continue;
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    // Write then rename, so an interrupted run never leaves half a pipeline file behind.
    const temp = `${target}.cutover-tmp`;
    await writeFile(temp, files[path]);
    await rename(temp, target);
  }
  return plan;
}
