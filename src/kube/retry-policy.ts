// When a failed attempt is worth another, and how long to wait first. Pure: no I/O, so the rules
// are unit-tested without a server. The request loop (request.ts) applies them.
//
// What must stay true:
// - A read (GET, LIST, discovery, logs, opening a watch) is repeated on a dropped connection, a
//   timeout, 429 or 500/502/503/504.
// - A write is repeated as-is only when the server cannot have acted on it: 429 (throttled before
//   processing), or the connection was never made. Any other failure after the request left us
//   makes its outcome unknown: the client reads the object to learn what happened first.
// - A 409 Conflict is never repeated for a conditional write (resourceVersion or uid
//   precondition): the caller re-reads and re-plans (see retryOnConflict).
// - The wait grows exponentially from baseDelayMs, capped at maxDelayMs, with jitter so that many
//   clients do not retry in step; Retry-After wins when the server sends one (up to
//   maxRetryAfterMs). No retry starts once budgetMs since the first attempt would be exceeded.

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** First wait; doubled per retry. */
  baseDelayMs: number;
  /** Cap of the exponential wait. */
  maxDelayMs: number;
  /** Cap of a server's Retry-After. */
  maxRetryAfterMs: number;
  /** No retry starts later than this after the first attempt. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 10_000,
  budgetMs: 45_000,
};

/** How one failed attempt is handled. */
export type FailureAction =
  /** Repeat the same request after a wait. */
  | 'retry'
  /** A write may or may not have happened: read the object, then decide. */
  | 'resolve'
  /** Give up and report it. */
  | 'fail';

/** read: GET-like; create: POST; write: unconditional PATCH/DELETE; conditional-write: with a precondition. */
export type RequestKind = 'read' | 'create' | 'write' | 'conditional-write';

/** Socket errors where the request may have reached the server (or never got an answer). */
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const RETRIED_STATUS = new Set([500, 502, 503, 504]);

export interface AttemptFailure {
  /** HTTP status when the server answered. */
  status?: number;
  /** Node's error code for socket failures (ECONNRESET, ETIMEDOUT…). */
  code?: string;
  /** True when the connection was never established (connect timeout): nothing was sent. */
  notSent?: boolean;
}

export function actionFor(kind: RequestKind, f: AttemptFailure): FailureAction {
  if (f.status === 429) return 'retry';
  if (f.status === 409) return kind === 'write' ? 'retry' : 'fail';
  if (f.status !== undefined) {
    if (!RETRIED_STATUS.has(f.status)) return 'fail';
    return kind === 'read' ? 'retry' : 'resolve';
  }
  if (f.notSent) return 'retry';
  if (!f.code || !DROPPED.has(f.code)) return 'fail';
  return kind === 'read' ? 'retry' : 'resolve';
}

/** Retry-After as milliseconds (seconds or an HTTP date); undefined when absent or unparsable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * The wait before retry number `retry` (1 = first retry): "equal jitter", half fixed and half
 * random, so waits never collapse to zero and never exceed the cap.
 */
export function backoffMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number,
  serverAskedMs?: number,
): number {
  if (serverAskedMs !== undefined) return Math.min(serverAskedMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
