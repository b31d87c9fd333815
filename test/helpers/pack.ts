// The package as npm publishes it: `npm pack` of this checkout's build (scripts are not re-run:
// `npm test` has just built dist/), and the environment npm needs to install it on this machine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export function packTarball(dest: string): string {
  assert.ok(
    existsSync(join(REPO, 'dist', 'src', 'cli', 'chunks')),
    'dist/ holds no bundled CLI: run `npm run build` first',
  );
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], {
    cwd: REPO,
    encoding: 'utf8',
  });
  const [{ filename }] = JSON.parse(out) as { filename: string }[];
  return join(dest, filename);
}

/** An npm setting of this machine (`npm config get KEY`). */
export function npmConfig(key: string): string {
  return execFileSync('npm', ['config', 'get', key], { encoding: 'utf8' }).trim();
}
