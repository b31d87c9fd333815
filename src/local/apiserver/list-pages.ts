// List pagination (limit / continue / remainingItemCount) as the real API server serves it from
// etcd: a page holds the first `limit` objects in key order (namespace, then name) after the
// token's start key, read at the resourceVersion of the first page, so every page of one list
// sees the same snapshot. etcd keeps that revision until it is compacted (every 5 minutes in a
// real cluster); after that a continue answers 410 Expired with a fresh token that lists the rest
// at the latest resourceVersion (an "inconsistent continue"), exactly the server's wording.
import type { KubeObject } from '../store/types.js';
import { badRequest, expired } from '../store/api-error.js';

/** How long a list snapshot stays readable: the real cluster's etcd compaction interval. */
export const SNAPSHOT_RETENTION_MS = 5 * 60_000;
const MAX_SNAPSHOTS = 64;

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

interface Snapshot {
  items: KubeObject[];
  resourceVersion: number;
  takenAtMs: number;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: number;
  continue?: string;
  remainingItemCount?: number;
}

export interface PageRequest {
  limit: number;
  continueToken: string;
  /** `group/resource` plus namespace and selectors: a token only continues the list it came from. */
  scope: string;
  /** Remaining counts are reported only for unfiltered lists, as etcd counts keys, not matches. */
  filtered: boolean;
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

export function encodeContinue(start: string, rv: number): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

/** storage.DecodeContinue: the same checks and words as the real server (a 400 for any bad token). */
export function decodeContinue(value: string): { start: string; rv: number } {
  const invalid = (why: string) => badRequest(`invalid continue token: continue key is not valid${why}`);
  const bad = /[^A-Za-z0-9_-]/.exec(value);
  if (bad) throw invalid(`: illegal base64 data at input byte ${bad.index}`);
  let token: Partial<ContinueToken>;
  try {
    token = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<ContinueToken>;
  } catch (err) {
    throw invalid(`: ${(err as Error).message}`);
  }
  if (token === null || typeof token !== 'object') throw invalid(': not a continue token');
  if (token.v !== 'meta.k8s.io/v1')
    throw invalid(`: server does not recognize this encoded version ${String(token.v ?? '')}`);
  if (typeof token.rv !== 'number' || token.rv === 0)
    throw badRequest(
      'invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  if (typeof token.start !== 'string' || token.start === '')
    throw badRequest(
      'invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)',
    );
  return { start: token.start, rv: token.rv };
}

export class ListSnapshots {
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * One page of `all` (the current objects, sorted by key) or, with a continue token, of the
   * snapshot the first page was read from.
   */
  page(request: PageRequest, all: { items: KubeObject[]; resourceVersion: number }): ListPage {
    let items = all.items;
    let rv = all.resourceVersion;
    let start = '';
    if (request.continueToken) {
      const token = decodeContinue(request.continueToken);
      start = token.start;
      if (token.rv !== -1) {
        const snap = this.get(request.scope, token.rv);
        if (!snap) throw this.expiredContinue(token.start);
        items = snap.items;
        rv = snap.resourceVersion;
      }
    }
    // Keys after the start key `<last key>\0`, which sorts right after the last key of the previous page.
    const after = start ? items.filter((o) => keyOf(o) >= start) : items;
    if (request.limit <= 0 || after.length <= request.limit) return { items: after, resourceVersion: rv };
    const pageItems = after.slice(0, request.limit);
    this.remember(request.scope, rv, items);
    const page: ListPage = {
      items: pageItems,
      resourceVersion: rv,
      continue: encodeContinue(`${keyOf(pageItems[pageItems.length - 1]!)}\u0000`, rv),
    };
    if (!request.filtered) page.remainingItemCount = after.length - pageItems.length;
    return page;
  }

  private expiredContinue(start: string) {
    const err = expired(
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    );
    (err.status.metadata as Record<string, string>).continue = encodeContinue(start, -1);
    return err;
  }

  private get(scope: string, rv: number): Snapshot | undefined {
    const key = `${scope}@${rv}`;
    const snap = this.snapshots.get(key);
    if (snap && this.now() - snap.takenAtMs > SNAPSHOT_RETENTION_MS) {
      this.snapshots.delete(key);
      return undefined;
    }
    return snap;
  }

  private remember(scope: string, rv: number, items: KubeObject[]): void {
    const key = `${scope}@${rv}`;
    if (this.snapshots.has(key)) return;
    this.snapshots.set(key, { items, resourceVersion: rv, takenAtMs: this.now() });
    while (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
  }
}
