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

/**
 * The first line of every job: exactly the cutover that generated the files, or the job fails
 * before it touches the cluster. A runner that already has that version (a self-hosted runner, an
 * image with it baked in, an earlier job on the same machine) skips the install.
 */
export function installCutover(input: CiInput): string {
  const version = input.cutoverVersion;
  const has = `cutover --version 2>/dev/null | grep -qxF 'cutover ${version}'`;
  const npm = 'npm install --global --no-audit --no-fund';
  const install = input.install ?? { kind: 'npm' };
  switch (install.kind) {
    case 'npm':
      return `${has} || ${npm} ${PACKAGE_NAME}@${version}`;
    case 'preinstalled':
      return `${has} || { echo "cutover ${version} is not on this runner (generated with --install-from preinstalled)" >&2; exit 2; }`;
    case 'tarball': {
      // Checked before npm reads it: a tampered or truncated tarball never runs.
      const fetch = /^https:\/\//.test(install.source)
        ? `curl --fail --silent --show-error --location --output "$tgz" ${quoteArg(install.source)}`
        : `cp ${quoteArg(install.source)} "$tgz"`;
      return `${has} || { tgz="$(mktemp -d)/cutover.tgz" && ${fetch} && echo "${install.sha256}  $tgz" | sha256sum --check --quiet - && ${npm} "$tgz"; }`;
    }
  }
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

/** The registry host of an image repository, as docker names it (Docker Hub when none is named). */
export function registryHost(imageRepository: string): string {
  const first = imageRepository.split('/')[0];
  return imageRepository.includes('/') && /[.:]|^localhost$/.test(first) ? first : 'docker.io';
}

/** Logs in with REGISTRY_USERNAME / REGISTRY_PASSWORD; the password goes through stdin only. */
export function registryLogin(input: CiInput): string {
  return `printf '%s' "$REGISTRY_PASSWORD" | docker login --username "$REGISTRY_USERNAME" --password-stdin ${registryHost(input.imageRepository!)}`;
}

/** Builds the repository's Dockerfile as `<image repository>:<tag>` and pushes it. */
export function buildAndPush(input: CiInput, tagVariable: string): string {
  const image = `"${input.imageRepository!}:$${tagVariable}"`;
  return `docker build --tag ${image} . && docker push ${image}`;
}
