// Who answered: every route cutover writes stamps the app (namespace/app), the color and the
// release in one response header, so a probe can tell this app's green from another app's green
// behind the same gateway (DESIGN principle 8). Routes written by an older cutover stamp only the
// color header; those answers are still read (by color alone) for one release, so upgrading
// cutover does not break the verification of a live app.
import type { Color } from '../config/types.js';
import { isColor } from './types.js';

export const IDENTITY_HEADER = 'x-cutover-served-by';

/** Stands for a release not known when the route was written. */
const UNKNOWN_RELEASE = '-';

export interface Identity {
  /** namespace/app */
  app: string;
  color: Color;
  release?: string;
}

export function formatIdentity(id: Identity): string {
  return `${id.app} ${id.color} ${id.release ?? UNKNOWN_RELEASE}`;
}

export function parseIdentity(value: string | undefined): Identity | undefined {
  const [app, color, release, ...rest] = (value ?? '').trim().split(/\s+/);
  if (!app || !app.includes('/') || !isColor(color) || rest.length) return undefined;
  return { app, color, release: release && release !== UNKNOWN_RELEASE ? release : undefined };
}

export function describeIdentity(id: Identity): string {
  return `${id.app} ${id.color}${id.release ? ` (release ${id.release})` : ''}`;
}

/** What an answer says about who served it. */
export type Served =
  | { kind: 'identified'; identity: Identity }
  /** Only the old color header: a route written by an older cutover. */
  | { kind: 'legacy'; color: Color }
  | { kind: 'unknown' };

export function servedBy(headers: Record<string, string>, colorHeader: string): Served {
  const identity = parseIdentity(headers[IDENTITY_HEADER]);
  if (identity) return { kind: 'identified', identity };
  const color = headers[colorHeader];
  return isColor(color) ? { kind: 'legacy', color } : { kind: 'unknown' };
}

export interface Expected {
  app: string;
  color: Color;
  /** Undefined: any release of this app's color. */
  release?: string;
}

/** Undefined when the answer is from the expected app, color and release; else why not. */
export function identityMismatch(served: Served, want: Expected): string | undefined {
  const wanted = describeIdentity(want);
  if (served.kind === 'unknown') return `no cutover route answered (expected ${wanted})`;
  if (served.kind === 'legacy')
    return served.color === want.color ? undefined : `answered by ${served.color}, not ${want.color}`;
  const got = served.identity;
  if (got.app !== want.app) {
    return `answered by ${describeIdentity(got)}, not ${wanted}: another app's routes serve these requests — the hosts overlap (see \`cutover check\`)`;
  }
  if (got.color !== want.color) return `answered by ${got.color}, not ${want.color}`;
  if (want.release && got.release && got.release !== want.release)
    return `answered by ${got.color} release ${got.release}, not release ${want.release}`;
  return undefined;
}

/** Short text of who served, for "last answer" lines. */
export function servedText(served: Served): string {
  if (served.kind === 'identified') return describeIdentity(served.identity);
  if (served.kind === 'legacy') return served.color;
  return '';
}
