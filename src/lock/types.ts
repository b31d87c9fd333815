// The per-app release lock: a coordination.k8s.io/v1 Lease named `<app>-cutover-lock` in the
// app's namespace, taken with client-go's leader-election algorithm (reference §3):
// GET → POST on 404 → PUT with resourceVersion; expiry judged by the LOCAL time at which we
// last saw the lease change (observedTime + leaseDurationSeconds), never by the holder's clock.
//
// What must stay true:
// - Every write carries the resourceVersion read just before it (Leases refuse PUT without one).
// - MicroTime values have exactly 6 fractional digits (the real API server rejects others).
// - When renewal has failed for longer than renewDeadlineMs, `lost` aborts: the holder must
//   stop mutating the cluster at once.
//
// Functions (src/lock/index.ts):
//   acquireLock(client: KubeClient, options: AcquireLockOptions): Promise<HeldLock>   // LockError (exit 4)
//   observeLease(client, namespace, app): Promise<LeaseObservation>  // one GET, for `observed` (observe.ts)
//   observedFree(observed, nowMs): boolean   // none, released or lapsed: takeable at once
//   lockStatus(client: KubeClient, namespace: string, app: string, deps?): Promise<LockStatus>
//   forceRelease(client: KubeClient, namespace: string, app: string): Promise<LockStatus>  // status before release
//   holderIdentity(env): string          // e.g. 'ci-4711@host-1234' from SEMAPHORE_WORKFLOW_ID/GITHUB_RUN_ID/CI_PIPELINE_ID
//   leaseName(app): string               // `<app>-cutover-lock`
import type { KubeClient, KubeLogger } from '../kube/types.js';
import type { Lease } from './lease-record.js';

/** What the holder is doing, stored as JSON in the `cutover.dev/operation` annotation. */
export interface LockOperation {
  app: string;
  /** Release id (CI run id or --release). */
  release?: string;
  /** e.g. 'deploy', 'test', 'promote', 'rollback', 'decommission'. */
  phase?: string;
}

export interface LockDeps {
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Returns [0, 1); used for poll jitter. */
  random: () => number;
  logger: KubeLogger;
}

export interface AcquireLockOptions {
  namespace: string;
  app: string;
  /** How long to wait in line for the holder to finish. 0 behaves like noWait. */
  waitTimeoutMs: number;
  /** Fail at once with LockError when another holder has it. */
  noWait?: boolean;
  /** Lease duration written to the Lease; others may take over this long after our last renewal. Default 60. */
  leaseDurationSeconds?: number;
  /** Renew this often while held. Default 10 000. */
  renewEveryMs?: number;
  /** Abort `lost` when no renewal succeeded for this long. Default 40 000 (must be < lease duration). */
  renewDeadlineMs?: number;
  /** Poll period while waiting (jittered up to +50 %). Default 2 000. */
  retryEveryMs?: number;
  /** Holder identity; default holderIdentity(env) (CI run id, host, pid). */
  identity?: string;
  /** Written to the lease annotation for `cutover lock status` and the dashboard. */
  operation?: LockOperation;
  /**
   * Called when we start waiting in line, and again whenever the holder changes, with the
   * holder's description ("lock held by ci-4711 since 10:02:03 UTC (deploy of release r42)").
   */
  onWaiting?: (summary: string) => void;
  /** Called on every poll while waiting (about every retryEveryMs) with how the wait is going. */
  onStillWaiting?: (text: string) => void;
  /** Aborting stops the wait (LockError) or releases nothing if already held (call release). */
  signal?: AbortSignal;
  /**
   * The lease as the caller's own GET saw it (observeLease): the first attempt writes on it
   * without a GET of its own, carrying its resourceVersion, so a success proves that nobody
   * took the lock between that GET and now (HeldLock.sinceObserved).
   */
  observed?: LeaseObservation;
  deps?: Partial<LockDeps>;
}

/** One GET of the lease: the lease (undefined when there is none) and when we saw it (ms). */
export interface LeaseObservation {
  lease: Lease | undefined;
  atMs: number;
}

/** A held lock. `await using lock = await acquireLock(...)` releases it at scope end. */
export interface HeldLock extends AsyncDisposable {
  readonly identity: string;
  readonly namespace: string;
  readonly leaseName: string;
  /**
   * Fencing epoch: the lease's leaseTransitions at acquisition. Stamp it on objects you mutate
   * (annotation `cutover.dev/lock-epoch`) if you need to tell writers apart.
   */
  readonly epoch: number;
  readonly acquiredAt: Date;
  /**
   * Taken by the first write on `AcquireLockOptions.observed`: no other run held the lock
   * between the caller's GET and the acquisition, so what the caller read after that GET is
   * what it would read now under the lock.
   */
  readonly sinceObserved: boolean;
  /** Aborts when renewal failed past the deadline, or another holder took the lease. */
  readonly lost: AbortSignal;
  /** Throws LockError if `lost` has aborted. Call before each mutating phase. */
  assertHeld(): void;
  /** Updates the operation annotation (next renewal writes it; awaits one write now). */
  setOperation(operation: LockOperation): Promise<void>;
  /** Stops renewing and releases (PUT holderIdentity ''). Idempotent; never throws for a lost lock. */
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What `cutover lock status` shows. */
export interface LockStatus {
  namespace: string;
  leaseName: string;
  /** False when there is no lease, or holderIdentity is empty, or the lease expired by its renewTime. */
  held: boolean;
  holder?: string;
  /** acquireTime as ISO string. */
  since?: string;
  renewedAt?: string;
  leaseDurationSeconds?: number;
  transitions: number;
  operation?: LockOperation;
  /** Held by someone but renewTime + duration is in the past (by our clock): a crashed holder. */
  expired: boolean;
  /** renewTime + leaseDurationSeconds (ISO): from then on, the next run takes the lock at once. */
  expiresAt?: string;
  /** Human summary, e.g. "lock held by ci-4711 since 10:02:03 (deploy of r42)". */
  summary: string;
}

export type AcquireLock = (client: KubeClient, options: AcquireLockOptions) => Promise<HeldLock>;
