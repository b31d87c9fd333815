// `cutover ci --install-from …`: how the generated jobs get cutover. The default is the published
// package at exactly the version that generated the files; teams that vendor the tarball name it
// (a path in the repository, or an https URL with its sha256), and the jobs check the tarball's
// sha256 before npm reads it; `preinstalled` is for runner images that carry cutover.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { CiInstall } from './input.js';

const SHA256 = /^[0-9a-f]{64}$/;

export interface InstallFlags {
  from?: string;
  sha256?: string;
}

export function parseInstall(
  flags: InstallFlags,
  root: string,
  readFile: (path: string) => Buffer = (p) => readFileSync(p),
): CiInstall {
  const from = flags.from ?? 'npm';
  const sha256 = flags.sha256?.toLowerCase();
  if (sha256 !== undefined && !SHA256.test(sha256)) {
    throw new InputError(`--install-sha256 "${flags.sha256}" is not a sha256 (64 hex digits)`, {
      remedy: 'give the output of `sha256sum cutover.tgz`, its first field',
    });
  }
  if (from === 'npm' || from === 'preinstalled') {
    if (sha256) {
      throw new InputError(`--install-sha256 goes with a tarball, not with --install-from ${from}`, {
        remedy: 'drop --install-sha256, or name the tarball with --install-from PATH|URL',
      });
    }
    return { kind: from };
  }
  if (/^[a-z]+:\/\//i.test(from)) {
    if (!from.startsWith('https://')) {
      throw new InputError(`--install-from ${from}: only https URLs are fetched`, {
        remedy: 'serve the tarball over https, or vendor it into the repository and name its path',
      });
    }
    if (!sha256) {
      throw new InputError(`--install-from ${from} needs the tarball's sha256`, {
        remedy: 'add --install-sha256 HEX (`sha256sum` of the tarball), so a changed file never runs',
      });
    }
    return { kind: 'tarball', source: from, sha256 };
  }
  return vendoredTarball(from, sha256, root, readFile);
}

function vendoredTarball(
  from: string,
  sha256: string | undefined,
  root: string,
  readFile: (path: string) => Buffer,
): CiInstall {
  const file = resolve(from);
  const rel = relative(resolve(root), file);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(`--install-from ${from} is outside ${resolve(root)}`, {
      remedy: 'vendor the tarball into the repository (the jobs check it out), or give an https URL',
    });
  }
  let bytes: Buffer;
  try {
    bytes = readFile(file);
  } catch (err) {
    throw new InputError(`--install-from ${from}: cannot read the tarball`, {
      cause: err,
      remedy: 'give the path of the `npm pack` tarball in the repository, "npm" or "preinstalled"',
    });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (sha256 && sha256 !== actual) {
    throw new InputError(`--install-from ${from}: its sha256 is ${actual}, not ${sha256}`, {
      remedy: 'check where the tarball came from; drop --install-sha256 to use the file as it is',
    });
  }
  return { kind: 'tarball', source: `./${rel.split(sep).join('/')}`, sha256: actual };
}
