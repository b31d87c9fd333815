// What the CI generators need to know about the app, taken from cutover.yaml. Kept small and
// plain so that `planCi` stays a pure function of it (tests build it by hand).
import { relative, resolve, sep } from 'node:path';
import type { CutoverConfig } from '../config/types.js';
import { InputError } from '../errors.js';

export interface CiInput {
  /** App name from cutover.yaml: names the files, the queue and the concurrency group. */
  app: string;
  /** cutover.yaml's path relative to the repository root, with `/` separators. */
  configPath: string;
  /**
   * Image repository; the pipelines deploy `<imageRepository>:<release tag>`. Undefined when
   * cutover.yaml uses the user's own manifests, which name their image themselves.
   */
  imageRepository?: string;
  /** Per-color Secret names from cutover.yaml; when any is set the pipelines sync settings before deploy. */
  colorSecrets: { blue?: string; green?: string };
  /** Prefix of the CI variables holding per-color settings: `<prefix><COLOR>_<KEY>`. */
  settingsPrefix: string;
  /** The cutover version the pipelines install when the runner has none. */
  cutoverVersion: string;
}

export const DEFAULT_SETTINGS_PREFIX = 'CUTOVER_ENV_';

/** Builds the generator input from a loaded config; the config path is made relative to `root`. */
export function ciInputFromConfig(
  config: Pick<CutoverConfig, 'app' | 'imageRepository' | 'secrets' | 'file'>,
  options: { root: string; settingsPrefix?: string; cutoverVersion: string; syncSettings?: boolean },
): CiInput {
  const prefix = options.settingsPrefix ?? DEFAULT_SETTINGS_PREFIX;
  checkPrefix(prefix);
  return {
    app: config.app,
    configPath: repoRelative(options.root, config.file),
    ...(config.imageRepository ? { imageRepository: config.imageRepository } : {}),
    // Without the sync (the Secrets are managed elsewhere, e.g. sealed secrets), the pipelines
    // neither write nor pass settings.
    colorSecrets: options.syncSettings === false ? {} : sortedSecrets(config.secrets),
    settingsPrefix: prefix,
    cutoverVersion: options.cutoverVersion,
  };
}

export function checkPrefix(prefix: string): void {
  if (!/^[A-Z][A-Z0-9_]*_$/.test(prefix)) {
    throw new InputError(
      `settings prefix "${prefix}" is not an upper-case variable name prefix ending in _`,
      {
        remedy:
          'use something like --prefix CUTOVER_ENV_ (variables are then CUTOVER_ENV_BLUE_DB_PASSWORD, …)',
      },
    );
  }
}

function repoRelative(root: string, file: string): string {
  const rel = relative(resolve(root), resolve(file));
  if (rel.startsWith('..')) {
    throw new InputError(`${file} is outside ${resolve(root)}, where the pipeline files go`, {
      remedy: 'run `cutover ci` from the repository root, or point --out at the repository root',
    });
  }
  return rel.split(sep).join('/');
}

function sortedSecrets(secrets: { blue?: string; green?: string }): { blue?: string; green?: string } {
  const out: { blue?: string; green?: string } = {};
  if (secrets.blue) out.blue = secrets.blue;
  if (secrets.green) out.green = secrets.green;
  return out;
}

export function hasColorSecrets(input: CiInput): boolean {
  return Boolean(input.colorSecrets.blue || input.colorSecrets.green);
}
