// The frame every mutating operation runs in: take the app's lock (wait in line, or fail fast
// with --no-wait), run the body, record the outcome in the history, release the lock. Guards
// refuse before any write, so a refusal leaves no trace but the lock's own lease.
import { CutoverError, GuardError, InputError, OperationFailedError, PreflightError } from '../errors.js';
import { observedFree, observeLease } from '../lock/observe.js';
import type { LeaseObservation } from '../lock/types.js';
import { colorStateOf, readAppState, routesOf } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { silentLog } from './deps.js';
import { recordHistory, type HistoryEntry } from './history.js';
import { settleLostWrite } from './settle-write.js';
import type { KubeClient } from '../kube/index.js';
import { Findings, preflightInput } from './findings.js';
import { inputFindings } from './preflight-input.js';

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

/**
 * `locked` for an operation that judges the app's state and then acts on it (promote, rollback),
 * in three round trips before its first write where a preflight and then the lock took six:
 *
 * 1. The lease GET and a read of the state, together (with the redactor's read of the Secrets,
 *    `deps.secretsLearned`). With the lock free, the guards judge this state dry first: a
 *    refusal writes nothing, not even the lease (the preflight).
 * 2. After the dry judgement, a second read of the state and the lease PUT on that GET's
 *    resourceVersion, together, on the connections the first round opened (docs/adr/0024). A
 *    read started after a GET that found the lock free sees every write of the previous holder
 *    (it released the lease after its last write), and the PUT succeeding proves that nobody
 *    took the lock since that GET (HeldLock.sinceObserved): so this is the state under the lock,
 *    and the guards judge it again there, as `locked` always does.
 * 3. The body's first write (the route switch carries its own resourceVersion too).
 *
 * When the lock was held (or another run won the PUT), this run waits in line as `locked` does
 * and reads the state again once it holds the lock: a guard judged now could refuse what the run
 * ahead is about to make true.
 */
export async function lockedOnState<T extends { durationMs: number }>(
  ctx: EngineContext,
  frame: OperationFrame,
  input: OperationInput,
  body: (ctx: EngineContext, view: ClusterView) => Promise<{ result: T; outcome: Outcome }>,
): Promise<T> {
  if (ctx.dryRun || ctx.lock) {
    await ctx.deps.secretsLearned;
    return locked(ctx, frame, input, async () => body(ctx, await readAppState(ctx)));
  }
  // The lock's own module (loaded on first use: read-only commands never take the lock) loads
  // meanwhile, the chunk deps.acquireLock imports.
  void import('../lock/acquire.js').catch(() => undefined);
  const findings = new Findings();
  findings.add(...inputFindings(ctx));
  // The lease is read on the client that then takes it (the settling one, see `locked`), so its
  // PUT goes out on a connection that is already open.
  // The redactor's Secrets (when the CLI reads them alongside) are in the same round trip.
  const leaseRead = observeLease(ctx.settleKube ?? ctx.kube, ctx.namespace, ctx.app, ctx.deps.clock);
  const [observed, preflightView] = await Promise.all([
    leaseRead,
    readAppState(ctx),
    ctx.deps.secretsLearned,
  ]);
  const free = observedFree(observed, ctx.deps.clock());
  if (free) await findings.collect(() => judgeDry(ctx, body, preflightView));
  findings.throwIfAny();
  if (!free) return locked(ctx, frame, input, async () => body(ctx, await readAppState(ctx)));
  // The state the body will judge under the lock is read again now, beside the lease PUT: these
  // reads are answered after the GET that saw the lease free, and a PUT on that GET's
  // resourceVersion proves nobody took the lock in between. Sent once the first round is
  // answered, they go out on the connections it opened and freed, not on as many new ones (a
  // TCP and a TLS handshake each on a real cluster; ADR 0021 sent them on the lease GET's
  // answer, while the first reads still held their connections).
  const underLock = observedFree(observed, observed.atMs) ? readAppState(ctx) : undefined;
  underLock?.catch(() => undefined); // awaited in the body, or dropped when the PUT lost
  return locked(
    ctx,
    frame,
    input,
    async () => body(ctx, ctx.lock?.sinceObserved && underLock ? await underLock : await readAppState(ctx)),
    { observed },
  );
}

/** The body run as a plan on `view`: its guards' refusals count, anything else is left to the real run. */
async function judgeDry<T>(
  ctx: EngineContext,
  body: (ctx: EngineContext, view: ClusterView) => Promise<T>,
  view: ClusterView,
): Promise<void> {
  try {
    await body({ ...ctx, dryRun: true, deps: { ...ctx.deps, log: silentLog } }, view);
  } catch (err) {
    if (err instanceof GuardError || err instanceof InputError || err instanceof PreflightError) throw err;
  }
}

interface Acquisition {
  /** The caller's own GET of the lease, which found it free: the first attempt writes on it. */
  observed?: LeaseObservation;
}

/** Runs `body` under the app's lock and records the outcome. */
export async function locked<T extends { durationMs: number }>(
  ctx: EngineContext,
  frame: OperationFrame,
  input: OperationInput,
  body: () => Promise<{ result: T; outcome: Outcome }>,
  acquisition: Acquisition = {},
): Promise<T> {
  // Input a run would trip over is reported before the lock's Lease is written.
  if (!ctx.lock) preflightInput(ctx);
  if (ctx.dryRun || ctx.lock) return (await timed(ctx, body)).result;
  // The lock lives on the settling client: a stop aborts the operation's requests, not the
  // lock's release.
  const settle = ctx.settleKube ?? ctx.kube;
  const acquiring = ctx.deps.acquireLock(settle, {
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
    observed: acquisition.observed,
    signal: ctx.deps.signal,
    onWaiting: (summary) => ctx.deps.log.info(`waiting for the release lock: ${summary}`),
    onStillWaiting: (text) => ctx.deps.log.progress?.(text),
    // A timer that keeps the process alive: waiting in line is the only thing a queued CLI
    // run does, and an unref'd timer would let Node exit (code 13) in the middle of the wait.
    deps: { sleep: keptAliveSleep },
  });
  const lock = await acquiring;
  ctx.lock = lock;
  const started = ctx.deps.clock();
  try {
    const { result, outcome } = await timed(ctx, body);
    try {
      await record(ctx, frame, 'done', outcome, started, afterwardsKube(ctx, true));
    } catch (historyErr) {
      // The operation is done: a history that could not be written must not turn it into a failure.
      ctx.deps.log.warn(
        `${frame.operation} is done, but recording it in the history failed: ${messageOf(historyErr)}`,
      );
    }
    return result;
  } catch (err) {
    // Refusals and bad input applied nothing: the history tells what happened to the app.
    if (err instanceof GuardError || err instanceof InputError) throw err;
    // A write whose answer was lost is settled by reading it, and the last words and the history
    // say what the cluster shows afterwards, not what the socket said.
    const settled = await settleLostWrite(afterwardsKube(ctx), err);
    if (settled && err instanceof Error) err.message = `${err.message}; ${settled}`;
    const left = await whatWasLeft(ctx);
    await recordFailure(ctx, frame, err, started, left);
    if (ctx.deps.signal?.aborted) throw stopped(ctx, frame, err, left, settled);
    if (settled && left && err instanceof Error) err.message = `${err.message}; afterwards ${left}`;
    throw err;
  } finally {
    ctx.lock = undefined;
    await lock.release();
  }
}

/**
 * The client for what happens after the body. A done run records it with the operation's own
 * client (full retries: a lost answer to the history write is read back, not reported as a failed
 * record). A failed or stopped run settles with the settling client: short clocks, not tied to the
 * stop, so a run that failed because the API server stopped answering still ends in seconds.
 */
function afterwardsKube(ctx: EngineContext, done = false): KubeClient {
  return done && !ctx.deps.signal?.aborted ? ctx.kube : (ctx.settleKube ?? ctx.kube);
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * What the cluster shows after a failed or stopped run, read on the settling client (the
 * operation's own requests may be aborted): a write whose answer was lost may have been applied,
 * so the history and the last words say where plain traffic is, not what the socket said.
 */
async function whatWasLeft(ctx: EngineContext): Promise<string | undefined> {
  try {
    const view = await readAppState({ ...ctx, kube: afterwardsKube(ctx) });
    const active = routesOf(ctx, view).activeColor;
    if (!active) return 'no color serves plain traffic';
    const release = colorStateOf(ctx, view, active).release;
    return `plain traffic is on ${active}${release ? ` (release ${release})` : ''}`;
  } catch (err) {
    ctx.deps.log.warn(`could not read what the run left: ${messageOf(err)}`);
    return undefined;
  }
}

/** A run stopped by SIGINT/SIGTERM or its deadline: why, where things are, how to go on. */
function stopped(
  ctx: EngineContext,
  frame: OperationFrame,
  err: unknown,
  left: string | undefined,
  settled: string | undefined,
) {
  const reason = ctx.deps.signal?.reason;
  const why = reason instanceof Error ? reason.message : 'stopped';
  const what = `${frame.operation}${frame.release ? ` of release ${frame.release}` : ''}`;
  const after = [left, settled].filter(Boolean).map((s) => `; ${s}`);
  return new OperationFailedError(`${what} stopped (${why}); the lock is released${after.join('')}`, {
    cause: err,
    remedy: `run the same command again: it resumes from what the cluster shows`,
  });
}

async function record(
  ctx: EngineContext,
  frame: OperationFrame,
  result: 'done' | 'failed',
  outcome: Outcome,
  started: number,
  kube = afterwardsKube(ctx),
) {
  await recordHistory(
    { ...ctx, kube },
    {
      at: new Date(ctx.deps.clock()).toISOString(),
      operation: frame.operation,
      result,
      release: frame.release,
      ...outcome,
      by: ctx.lock?.identity,
      durationMs: ctx.deps.clock() - started,
    },
  );
}

async function recordFailure(
  ctx: EngineContext,
  frame: OperationFrame,
  err: unknown,
  started: number,
  left: string | undefined,
) {
  const detail = `${messageOf(err)}${left ? `; afterwards ${left}` : ''}`;
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
