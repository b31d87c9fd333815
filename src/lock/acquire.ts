// Taking the lock: client-go's tryAcquireOrRenew in a loop that waits in line (polling with
// jitter) until the holder releases, its lease expires, or our wait runs out.
import { LockError } from '../errors.js';
import { AlreadyExistsError, ConflictError } from '../kube/errors.js';
import { unsettledWriteOf } from '../kube/unsettled-write.js';
import type { KubeClient } from '../kube/types.js';
import { HeldLease } from './held-lock.js';
import { holderIdentity, leaseName } from './identity.js';
import {
  describeHolder,
  heldLease,
  leaseLapsed,
  LEASE_API_VERSION,
  newLease,
  recordKey,
  type Lease,
} from './lease-record.js';
import type { AcquireLockOptions, HeldLock, LeaseObservation, LockDeps } from './types.js';

export const LOCK_DEFAULTS = {
  leaseDurationSeconds: 60,
  renewEveryMs: 10_000,
  renewDeadlineMs: 40_000,
  retryEveryMs: 2_000,
};

/** Local memory of the lease as we last saw it: expiry is judged from when WE saw it change. */
interface Observation {
  key: string;
  atMs: number;
}

type Attempt = { acquired: true; lease: Lease } | { acquired: false; holder?: Lease };

export function defaultLockDeps(): LockDeps {
  return {
    // Unref'd: a forgotten lock must not keep the CLI process alive forever.
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        t.unref();
        signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      }),
    clock: () => Date.now(),
    random: Math.random,
    logger: { debug: () => {}, warn: (m) => process.stderr.write(`warning: ${m}\n`) },
  };
}

export async function acquireLock(client: KubeClient, options: AcquireLockOptions): Promise<HeldLock> {
  const deps: LockDeps = { ...defaultLockDeps(), ...options.deps };
  const cfg = { ...LOCK_DEFAULTS, ...definedOnly(options) };
  const me = options.identity ?? holderIdentity(process.env);
  const name = leaseName(options.app);
  const waitStarted = deps.clock();
  const deadline = waitStarted + Math.max(0, options.waitTimeoutMs);
  const seen: { last?: Observation; announced?: string } = {};
  // The first attempt writes on the caller's observation (no GET of its own); later ones GET.
  let observed = options.observed;
  for (;;) {
    const attempt = await tryAcquire(
      client,
      options,
      me,
      name,
      cfg.leaseDurationSeconds,
      deps,
      seen,
      observed,
    );
    const onObserved = observed !== undefined;
    observed = undefined;
    if (attempt.acquired) {
      return new HeldLease(
        client,
        {
          ...cfg,
          namespace: options.namespace,
          name,
          identity: me,
          operation: options.operation,
          sinceObserved: onObserved,
        },
        attempt.lease,
        deps,
      );
    }
    if (options.signal?.aborted) throw waitError(attempt.holder, options, name, 'stopped while waiting');
    if (options.noWait || options.waitTimeoutMs <= 0)
      throw waitError(attempt.holder, options, name, 'not waiting (--no-wait)');
    const left = deadline - deps.clock();
    if (left <= 0)
      throw waitError(attempt.holder, options, name, `waited ${formatSeconds(options.waitTimeoutMs)}`);
    if (attempt.holder) announceWait(attempt.holder, options, deps, seen, deps.clock() - waitStarted);
    await deps.sleep(Math.min(left, cfg.retryEveryMs * (1 + deps.random() * 0.5)), options.signal);
  }
}

/** One round of the algorithm (reference §3). Never throws for a lost race, only for I/O errors. */
async function tryAcquire(
  client: KubeClient,
  options: AcquireLockOptions,
  me: string,
  name: string,
  durationSeconds: number,
  deps: LockDeps,
  seen: { last?: Observation },
  observed?: LeaseObservation,
): Promise<Attempt> {
  const ref = { apiVersion: LEASE_API_VERSION, kind: 'Lease', namespace: options.namespace, name };
  const current = observed ? observed.lease : await client.getOptional<Lease>(ref);
  if (!current) {
    try {
      const created = await client.create(
        newLease(options.namespace, name, me, durationSeconds, deps.clock(), options.operation),
      );
      return { acquired: true, lease: created };
    } catch (err) {
      if (err instanceof AlreadyExistsError) return { acquired: false };
      // The create's answer was lost and reading it back failed: the Lease may be ours. The next
      // round reads it, and a Lease that names us is taken (renewed) like any other.
      if (mayReadAgain(err, options, deps)) return { acquired: false };
      throw err;
    }
  }
  const key = recordKey(current);
  if (seen.last?.key !== key) seen.last = { key, atMs: observed?.atMs ?? deps.clock() };
  const holder = current.spec?.holderIdentity;
  const durationMs = (current.spec?.leaseDurationSeconds ?? durationSeconds) * 1000;
  // Lapsed by its own renewTime + duration (what `lock status` reports), or — for a holder whose
  // clock runs ahead, writing renewTimes in our future — unchanged for a whole duration since we
  // first saw it (client-go's observed-time rule, which needs no clock agreement).
  const expired = leaseLapsed(current, deps.clock()) || seen.last.atMs + durationMs < deps.clock();
  if (holder && holder !== me && !expired) return { acquired: false, holder: current };
  if (holder && holder !== me) deps.logger.warn(`${describeHolder(current)} expired; taking it over`);
  try {
    const lease = await client.replace(
      heldLease(current, me, durationSeconds, deps.clock(), options.operation),
    );
    return { acquired: true, lease };
  } catch (err) {
    if (err instanceof ConflictError) return { acquired: false, holder: current };
    if (mayReadAgain(err, options, deps)) return { acquired: false };
    throw err;
  }
}

/** A write whose outcome is unknown, and the caller waits: the next round's read settles it. */
function mayReadAgain(err: unknown, options: AcquireLockOptions, deps: LockDeps): boolean {
  if (!unsettledWriteOf(err) || options.noWait || options.waitTimeoutMs <= 0) return false;
  deps.logger.warn(`${(err as Error).message}; reading the Lease again to learn whether it is ours`);
  return true;
}

/**
 * Tells the caller at once, and again whenever the holder changes, who holds the lock (what it
 * does, since when, when it last renewed) and how long we will wait; then how the wait is going
 * on every poll, for a live line or a periodic CI line.
 */
function announceWait(
  holder: Lease,
  options: AcquireLockOptions,
  deps: LockDeps,
  seen: { announced?: string },
  waitedMs: number,
): void {
  const summary = describeHolder(holder);
  deps.logger.debug(`${summary}; waiting`);
  const renewed = Date.parse(holder.spec?.renewTime ?? '');
  const renewText = Number.isFinite(renewed)
    ? `, last renewed ${Math.max(0, Math.round((deps.clock() - renewed) / 1000))} s ago`
    : '';
  const who = holder.spec?.holderIdentity ?? '';
  if (seen.announced !== who) {
    seen.announced = who;
    options.onWaiting?.(
      `${summary}${renewText}; waiting up to ${formatSeconds(options.waitTimeoutMs)} (--lock-timeout, --no-wait)`,
    );
  }
  options.onStillWaiting?.(
    `waiting for the release lock: ${summary}${renewText}; ${formatSeconds(waitedMs)} of ${formatSeconds(options.waitTimeoutMs)}`,
  );
}

/**
 * Seconds for a person: one decimal under 10 s, whole seconds from there. The choice is made on
 * the rounded figure, so 9,960 ms reads "10 s", never "10.0 s".
 */
export function formatSeconds(ms: number): string {
  const tenths = Math.round(ms / 100);
  return tenths < 100 ? `${(tenths / 10).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function waitError(
  holder: Lease | undefined,
  options: AcquireLockOptions,
  name: string,
  why: string,
): LockError {
  const who = holder ? describeHolder(holder) : 'lock taken by another run at the same moment';
  return new LockError(`${who}; ${why}`, {
    remedy: `wait for that run to finish, allow a longer wait (lockTimeoutSeconds / --lock-timeout), or if it is dead run \`cutover lock release --force\` (Lease ${options.namespace}/${name})`,
  });
}

function definedOnly(o: AcquireLockOptions): Partial<typeof LOCK_DEFAULTS> {
  const out: Partial<typeof LOCK_DEFAULTS> = {};
  for (const k of Object.keys(LOCK_DEFAULTS) as Array<keyof typeof LOCK_DEFAULTS>) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  return out;
}
