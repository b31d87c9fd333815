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
  /** The cutover version the pipelines run: exactly this one, installed as `install` says. */
  cutoverVersion: string;
  /** How a job gets that cutover (`--install-from`); default the published package. */
  install?: CiInstall;
  /**
   * Names of the per-color settings (`--settings DB_PASSWORD,…`). GitHub hands a step only the
   * secrets it names, so its settings step names these, for each color, and nothing else.
   */
  settingsKeys?: string[];
  /** An optional build-and-push job (`--build`) that the deploy waits for. */
  build?: boolean;
  /** Set when cutover.yaml names per-color Secrets but the sync was left out (`--no-settings-sync`). */
  noSettingsSync?: boolean;
}

/**
 * The command that generated the files, flags included, as their headers print it: regenerating
 * or `--check`ing with other flags would give other files.
 */
export function ciCommand(system: string, input: CiInput): string {
  const words = ['cutover', 'ci', system];
  if (input.configPath !== 'cutover.yaml') words.push('-f', input.configPath);
  if (input.settingsPrefix !== DEFAULT_SETTINGS_PREFIX) words.push('--prefix', input.settingsPrefix);
  if (input.noSettingsSync) words.push('--no-settings-sync');
  if (input.settingsKeys?.length) words.push('--settings', input.settingsKeys.join(','));
  const install = input.install;
  if (install?.kind === 'preinstalled') words.push('--install-from', 'preinstalled');
  if (install?.kind === 'tarball') {
    words.push('--install-from', install.source);
    if (install.source.startsWith('https://')) words.push('--install-sha256', install.sha256);
  }
  if (input.build) words.push('--build');
  return words.join(' ');
}

/**
 * - `npm`: the published package at exactly the version that generated the files.
 * - `tarball`: a vendored tarball (a path in the repository or an https URL), checked against
 *   its sha256 before npm sees it.
 * - `preinstalled`: the runner's image carries cutover; the job checks it is exactly that version.
 */
export type CiInstall =
  { kind: 'npm' } | { kind: 'tarball'; source: string; sha256: string } | { kind: 'preinstalled' };

export const DEFAULT_SETTINGS_PREFIX = 'CUTOVER_ENV_';

/** Builds the generator input from a loaded config; the config path is made relative to `root`. */
export function ciInputFromConfig(
  config: Pick<CutoverConfig, 'app' | 'imageRepository' | 'secrets' | 'file'>,
  options: {
    root: string;
    settingsPrefix?: string;
    cutoverVersion: string;
    syncSettings?: boolean;
    install?: CiInstall;
    settingsKeys?: string[];
    build?: boolean;
  },
): CiInput {
  const prefix = options.settingsPrefix ?? DEFAULT_SETTINGS_PREFIX;
  checkPrefix(prefix);
  if (options.build && !config.imageRepository) {
    throw new InputError('--build pushes <image>:<tag>, but cutover.yaml names no image', {
      file: config.file,
      field: 'image',
      remedy: 'add `image: registry.example.com/team/app` to cutover.yaml, or drop --build',
    });
  }
  return {
    app: config.app,
    configPath: repoRelative(options.root, config.file),
    ...(config.imageRepository ? { imageRepository: config.imageRepository } : {}),
    // Without the sync (the Secrets are managed elsewhere, e.g. sealed secrets), the pipelines
    // neither write nor pass settings.
    colorSecrets: options.syncSettings === false ? {} : sortedSecrets(config.secrets),
    settingsPrefix: prefix,
    cutoverVersion: options.cutoverVersion,
    ...(options.install && options.install.kind !== 'npm' ? { install: options.install } : {}),
    ...(options.syncSettings !== false && options.settingsKeys ? { settingsKeys: options.settingsKeys } : {}),
    ...(options.build ? { build: true } : {}),
    ...(options.syncSettings === false && (config.secrets.blue || config.secrets.green)
      ? { noSettingsSync: true }
      : {}),
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
