// Release ids: --release, else the CI run id (the seed labels Deployments with
// $SEMAPHORE_WORKFLOW_ID), else the seed-style tag, else generated. They end up in labels, so
// they are made label-safe (≤ 63 chars of [A-Za-z0-9_.-], alphanumeric at both ends).
import { parseReleaseTag } from './release-tag.js';
import type { Color } from '../config/types.js';
import { InputError } from '../errors.js';

const CI_RUN_IDS = ['SEMAPHORE_WORKFLOW_ID', 'GITHUB_RUN_ID', 'CI_PIPELINE_ID'] as const;

export function ciRunId(env: Record<string, string | undefined>): string | undefined {
  for (const name of CI_RUN_IDS) if (env[name]) return env[name];
  return undefined;
}

export function labelSafe(value: string): string {
  const cleaned = value
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (!cleaned)
    throw new InputError(`release id \`${value}\` has no usable characters`, {
      remedy: 'use letters, digits, . _ -',
    });
  return cleaned;
}

/** The release a command names explicitly or through CI; undefined = "whatever is deployed". */
export function requestedRelease(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  const id = flag ?? ciRunId(env);
  return id === undefined ? undefined : labelSafe(id);
}

/** The id a deploy names (flag, CI run id or tag); undefined when it would be generated. */
export function namedReleaseId(
  input: { release?: string; tag?: string },
  env: Record<string, string | undefined>,
): string | undefined {
  const named = requestedRelease(input.release, env) ?? input.tag;
  return named === undefined ? undefined : labelSafe(named);
}

/** The id a deploy stamps on the new color. */
export function newReleaseId(
  input: { release?: string; tag?: string },
  env: Record<string, string | undefined>,
  now: number,
  random: () => number,
): string {
  const named = namedReleaseId(input, env);
  if (named) return named;
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `r${stamp}-${Math.floor(random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`;
}

/**
 * `v2.0-green` → green, as the seed's promotion conditions `tag =~ '^v.*-green$'`; `v2.0` → none
 * (deploy picks the idle color). A tag that names no version, or a misspelled color such as
 * `v2.0-gren`, is bad input: the same rules as `cutover ci parse-tag`.
 */
export function colorFromTag(tag: string | undefined): Color | undefined {
  return tag === undefined ? undefined : parseReleaseTag(tag).color;
}
