// Release tags: the seed's convention `v1.2-blue` / `v1.2-green` names the color to deploy into;
// a plain `v1.2` (or `v1.2.3-rc.1`) lets cutover pick the idle color. The CI pipelines check the
// tag with `cutover ci parse-tag` before anything touches the cluster, and the engine's
// `deploy --tag` uses the same function, so both agree on what a tag means.
import { InputError } from '../errors.js';

export type TagColor = 'blue' | 'green';

export interface ReleaseTag {
  /** The version without the leading `v` and without the color suffix, e.g. '1.2.3-rc.1'. */
  version: string;
  /** The color the tag names, if any. */
  color?: TagColor;
}

// v, a number, more dot-separated numbers or prerelease words (SemVer-like, loosely: teams tag
// `v1.0` as often as `v1.0.0`), then an optional color suffix. Only characters that are valid in
// a Kubernetes label value, so the tag can serve as the release id.
const TAG_RE = /^v(?<version>[0-9]+(?:\.[0-9]+)*(?:-[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*)?)$/;
const COLOR_SUFFIX_RE = /-(?<color>blue|green)$/;
/** Label values are at most 63 characters. */
const MAX_TAG_LENGTH = 63;

const REMEDY =
  'tag releases as v<version> (cutover picks the idle color) or v<version>-blue / v<version>-green, e.g. v1.2.0 or v1.2.0-green';

/** Parses a release tag; throws InputError (exit 2) for a tag that names no version. */
export function parseReleaseTag(tag: string): ReleaseTag {
  if (tag.length === 0) {
    throw new InputError('no release tag given (the pipeline did not run for a tag?)', { remedy: REMEDY });
  }
  if (tag.length > MAX_TAG_LENGTH) {
    throw new InputError(`release tag "${tag}" is longer than ${MAX_TAG_LENGTH} characters`, {
      remedy: REMEDY,
    });
  }
  const colorMatch = COLOR_SUFFIX_RE.exec(tag);
  const color = colorMatch?.groups?.color as TagColor | undefined;
  const rest = colorMatch ? tag.slice(0, colorMatch.index) : tag;
  const match = TAG_RE.exec(rest);
  if (!match?.groups) {
    throw new InputError(`release tag "${tag}" names no version: it must start with v and a number`, {
      remedy: REMEDY,
    });
  }
  const version = match.groups.version;
  if (!color) rejectMisspelledColor(tag, version);
  return color ? { version, color } : { version };
}

// `v1.2-gren` would otherwise be a plain tag with the prerelease `gren`, deployed into whichever
// color is idle: a typo must not pick the color silently.
function rejectMisspelledColor(tag: string, version: string): void {
  if (!version.includes('-')) return;
  const last = version.split('-').at(-1)!;
  for (const color of ['blue', 'green'] as const) {
    // `last` is never exactly a color here (that suffix was taken as the color), so `Blue` counts.
    if (editDistance(last.toLowerCase(), color) <= 2) {
      throw new InputError(`release tag "${tag}" ends in "-${last}", which looks like a misspelled color`, {
        remedy: `tag it ${tag.slice(0, tag.length - last.length)}${color}, or use a prerelease name that is not close to blue/green`,
      });
    }
  }
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
