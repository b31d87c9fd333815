// The pure part of `cutover ci`: config in, files out (path relative to the repository root →
// content). Writing them is src/ci/write.ts; nothing here touches the disk or the clock, so the
// same input always gives the same bytes.
import { InputError } from '../errors.js';
import { planGithub } from './github.js';
import { planGitlab } from './gitlab.js';
import type { CiInput } from './input.js';
import { planSemaphore } from './semaphore.js';

export const CI_SYSTEMS = ['semaphore', 'github', 'gitlab'] as const;
export type CiSystem = (typeof CI_SYSTEMS)[number];

export type CiFiles = Record<string, string>;

const PLANNERS: Record<CiSystem, (input: CiInput) => CiFiles> = {
  semaphore: planSemaphore,
  github: planGithub,
  gitlab: planGitlab,
};

export function isCiSystem(name: string): name is CiSystem {
  return (CI_SYSTEMS as readonly string[]).includes(name);
}

export function checkCiSystem(name: string | undefined): CiSystem {
  if (name && isCiSystem(name)) return name;
  throw new InputError(name ? `unknown CI system "${name}"` : 'no CI system named', {
    remedy: `run \`cutover ci ${CI_SYSTEMS.join('|')}\``,
  });
}

/** The files for one CI system, keys sorted so that listings and writes are in a stable order. */
export function planCi(system: CiSystem, input: CiInput): CiFiles {
  const files = PLANNERS[system](input);
  return Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((path) => [path, files[path]]),
  );
}
