// client-go's retry.RetryOnConflict for cutover: a conditional write (resourceVersion or uid
// precondition) that meets a 409 is never repeated as it was; the caller's `attempt` re-reads the
// object, re-plans its change from what it finds, and writes again. Bounded and logged.
import { ConflictError, RequestAbortedError } from './errors.js';
import type { KubeLogger } from './types.js';

export interface ConflictRetryOptions {
  /** Names the write in log lines, e.g. `replace configmaps default/myapp-history`. */
  what: string;
  /** Attempts, the first included. Default 5. */
  attempts?: number;
  logger: KubeLogger;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** [0, 1) for jitter. */
  random: () => number;
  signal?: AbortSignal;
}

/**
 * Runs `attempt` (which must read, plan and write) until it does not throw ConflictError.
 * The last ConflictError is thrown when the attempts are used up; any other error at once.
 */
export async function retryOnConflict<T>(
  attempt: (n: number) => Promise<T>,
  options: ConflictRetryOptions,
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof ConflictError) || n >= attempts) throw err;
      // Short and jittered: the other writer is usually done; many of us must not retry in step.
      const waitMs = Math.round(10 * 2 ** n * (0.5 + options.random() / 2));
      options.logger.warn(
        `${options.what}: conflict (${err.message}); re-reading and trying again in ${waitMs} ms (attempt ${n + 1} of ${attempts})`,
      );
      await options.sleep(waitMs, options.signal);
      if (options.signal?.aborted) throw new RequestAbortedError(options.what, options.signal.reason);
    }
  }
}
