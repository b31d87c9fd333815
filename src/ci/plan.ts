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

/** What the user must set up in the CI system before the first release; printed after writing. */
export function setupHint(system: CiSystem, input: CiInput): string {
  const colors = (['blue', 'green'] as const).filter((c) => input.colorSecrets[c]);
  const settings = colors.map((c) => `${input.settingsPrefix}${c.toUpperCase()}_*`).join(' / ');
  const hints: Record<CiSystem, string[]> = {
    github: [
      'add the repository secret KUBECONFIG_B64 (base64 of your kubeconfig)',
      ...(settings ? [`add the per-color settings as secrets ${settings}`] : []),
      `create the environment ${input.app}-production with required reviewers`,
    ],
    gitlab: [
      'add a protected CI/CD variable of type File named KUBECONFIG',
      ...(settings ? [`add the per-color settings as protected variables ${settings}`] : []),
      'protect your v* tags',
    ],
    semaphore: [
      'create the secret kubeconfig with the file /home/semaphore/.kube/config',
      ...colors.map(
        (c) =>
          `create the secret ${input.colorSecrets[c]} with variables ${input.settingsPrefix}${c.toUpperCase()}_*`,
      ),
    ],
  };
  return [...hints[system].map((h) => `next: ${h}`), `see docs/ci/${system}.md`].join('\n');
}
