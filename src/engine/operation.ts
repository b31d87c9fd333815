// The frame every mutating operation runs in: take the app's lock (wait in line, or fail fast
// with --no-wait), run the body, record the outcome in the history, release the lock. Guards
// refuse before any write, so a refusal leaves no trace but the lock's own lease.
import { CutoverError, GuardError, InputError } from '../errors.js';
import type { EngineContext } from './context.js';
import { recordHistory, type HistoryEntry } from './history.js';
import { preflightInput } from './preflight.js';

export interface OperationInput {
  /** Fail at once (exit 4) when another run holds the lock. */
  noWait?: boolean;
}

export interface OperationFrame {
  operation: string;
  release?: string;
}

export type Outcome = Omit<HistoryEntry, 'at' | 'operation' | 'result' | 'by' | 'durationMs'>;

function keptAliveSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs `body` under the app's lock and records the outcome. */
export async function locked<T extends { durationMs: number }>(
  ctx: EngineContext,
  frame: OperationFrame,
  input: OperationInput,
  body: () => Promise<{ result: T; outcome: Outcome }>,
): Promise<T> {
  // Input a run would trip over is reported before the lock's Lease is written.
  if (!ctx.lock) preflightInput(ctx);
  if (ctx.dryRun || ctx.lock) return (await timed(ctx, body)).result;
  const lock = await ctx.deps.acquireLock(ctx.kube, {
    namespace: ctx.namespace,
    app: ctx.app,
    waitTimeoutMs: ctx.config.lockTimeoutSeconds * 1000,
    noWait: input.noWait,
    leaseDurationSeconds: ctx.config.leaseDurationSeconds,
    // Renew well inside the lease (client-go's 15 s / 10 s / 2 s, scaled): a short lease in a
    // test or a fast CI must not expire under a live holder.
    renewEveryMs: Math.min(10_000, (ctx.config.leaseDurationSeconds * 1000) / 4),
    renewDeadlineMs: (ctx.config.leaseDurationSeconds * 1000 * 2) / 3,
    retryEveryMs: Math.min(2_000, (ctx.config.leaseDurationSeconds * 1000) / 5),
    operation: { app: ctx.app, release: frame.release, phase: frame.operation },
    signal: ctx.deps.signal,
    onWaiting: (summary) => ctx.deps.log.info(`waiting for the release lock: ${summary}`),
    onStillWaiting: (text) => ctx.deps.log.progress?.(text),
    // A timer that keeps the process alive: waiting in line is the only thing a queued CLI
    // run does, and an unref'd timer would let Node exit (code 13) in the middle of the wait.
    deps: { sleep: keptAliveSleep },
  });
  ctx.lock = lock;
  const started = ctx.deps.clock();
  try {
    const { result, outcome } = await timed(ctx, body);
    await record(ctx, frame, 'done', outcome, started);
    return result;
  } catch (err) {
    // Refusals and bad input applied nothing: the history tells what happened to the app.
    if (!(err instanceof GuardError || err instanceof InputError))
      await recordFailure(ctx, frame, err, started);
    throw err;
  } finally {
    ctx.lock = undefined;
    await lock.release();
  }
}

async function timed<T extends { durationMs: number }>(
  ctx: EngineContext,
  body: () => Promise<{ result: T; outcome: Outcome }>,
): Promise<{ result: T; outcome: Outcome }> {
  const started = ctx.deps.clock();
  const out = await body();
  out.result.durationMs = ctx.deps.clock() - started;
  return out;
}

async function record(
  ctx: EngineContext,
  frame: OperationFrame,
  result: 'done' | 'failed',
  outcome: Outcome,
  started: number,
) {
  await recordHistory(ctx, {
    at: new Date(ctx.deps.clock()).toISOString(),
    operation: frame.operation,
    result,
    release: frame.release,
    ...outcome,
    by: ctx.lock?.identity,
    durationMs: ctx.deps.clock() - started,
  });
}

async function recordFailure(ctx: EngineContext, frame: OperationFrame, err: unknown, started: number) {
  const detail = err instanceof Error ? err.message : String(err);
  try {
    await record(ctx, frame, 'failed', { detail }, started);
  } catch (historyErr) {
    // The operation's own error matters more; the history write failing is only logged.
    const why =
      historyErr instanceof CutoverError || historyErr instanceof Error
        ? historyErr.message
        : String(historyErr);
    ctx.deps.log.warn(`could not record the failure in the history: ${why}`);
  }
}
