// The shell lines every generated pipeline runs, the same for each CI system so that what is
// tested once (test/ci-e2e.test.ts runs them against a local cluster) holds everywhere. Only
// cutover commands touch the cluster; none of them prints a secret value, and no line here uses
// `set -x` or `tee`, which would copy values into the CI log.
import type { CiInput } from './input.js';
import { PACKAGE_NAME } from '../package-root.js';

/** Names of the variables holding the values that each CI system spells differently. */
export interface CiVars {
  /** The pushed tag, e.g. `CI_COMMIT_TAG`. */
  tag: string;
  /** The release a manual step acts on, e.g. `CI_COMMIT_TAG` or `RELEASE`. */
  release: string;
}

/** A variable, quoted for the shell. */
export function ref(name: string): string {
  return `"$${name}"`;
}

function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function cutover(input: CiInput, words: string[]): string {
  return ['cutover', ...words, '-f', quoteArg(input.configPath)].join(' ');
}

/** Uses the cutover already on the runner (self-hosted runners, images with it baked in), else installs the pinned one. */
export function installCutover(input: CiInput): string {
  return `command -v cutover >/dev/null || npm install --global --no-audit --no-fund ${PACKAGE_NAME}@${input.cutoverVersion}`;
}

/** Rejects a tag that names no version before anything touches the cluster (exit 2). */
export function checkTag(variable: string): string {
  return `cutover ci parse-tag ${ref(variable)}`;
}

export function syncSettings(input: CiInput, target: { color?: string; tag?: string }): string {
  const which = target.color ? ['--color', target.color] : ['--tag', ref(target.tag!)];
  return cutover(input, ['secrets', 'sync', ...which, '--prefix', input.settingsPrefix]);
}

export function deploy(input: CiInput, v: CiVars, color?: string): string {
  // The image the build pushed for this tag; without an image repository in cutover.yaml, the
  // user's manifests name the image.
  const image = input.imageRepository ? ['--image', `"${input.imageRepository}:$${v.tag}"`] : [];
  const colorArgs = color ? ['--color', color] : [];
  const tag = ref(v.tag);
  return cutover(input, ['deploy', ...image, ...colorArgs, '--tag', tag, '--release', tag]);
}

export function smokeTest(input: CiInput, v: CiVars): string {
  return cutover(input, ['test', '--release', ref(v.tag)]);
}

export type ManualAction = 'promote' | 'rollback' | 'decommission';

/**
 * The commands of a manual step, each acting on the step's release (the tag the pipeline
 * promoted): promote refuses a release that is not deployed and tested; rollback and decommission
 * refuse (exit 3) unless it is the live release, so a stale button cannot undo or clean up after
 * a newer release.
 */
export function manual(input: CiInput, action: ManualAction, v: CiVars): string[] {
  return [cutover(input, [action, '--release', ref(v.release)])];
}

export function status(input: CiInput): string {
  return cutover(input, ['status']);
}
