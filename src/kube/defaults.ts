// The client's bounds and retry settings in one place (ADR 0008 says why these values).
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import type { KubeClientOptions, RequestTimeouts } from './types.js';

export interface ClientSettings {
  retry: RetryPolicy;
  /** Bounds of an ordinary request. */
  timeouts: Required<RequestTimeouts>;
  /** Bounds of a watch stream: no total, a longer idle (bookmarks come about once a minute). */
  watchTimeouts: RequestTimeouts;
}

export const DEFAULT_TIMEOUTS = {
  connectMs: 10_000,
  firstByteMs: 30_000,
  idleMs: 30_000,
  totalMs: 60_000,
  watchIdleMs: 120_000,
};

export function clientSettings(o: KubeClientOptions): ClientSettings {
  const connectMs = o.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectMs;
  const firstByteMs = o.requestTimeoutMs ?? DEFAULT_TIMEOUTS.firstByteMs;
  return {
    retry: {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: o.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
      baseDelayMs: o.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: o.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      budgetMs: o.retryBudgetMs ?? DEFAULT_RETRY_POLICY.budgetMs,
    },
    timeouts: {
      connectMs,
      firstByteMs,
      idleMs: o.idleTimeoutMs ?? DEFAULT_TIMEOUTS.idleMs,
      // The whole request can never be shorter than its parts.
      totalMs: Math.max(o.totalTimeoutMs ?? DEFAULT_TIMEOUTS.totalMs, firstByteMs),
    },
    watchTimeouts: {
      connectMs,
      firstByteMs,
      idleMs: o.watchIdleTimeoutMs ?? DEFAULT_TIMEOUTS.watchIdleMs,
    },
  };
}
