// A held lock: renews the Lease every renewEveryMs with one resourceVersion-checked PUT, and
// aborts `lost` when renewals fail past renewDeadlineMs or another holder took the lease.
import './dispose-polyfill.js';
import { LockError } from '../errors.js';
import { ConflictError, NotFoundError } from '../kube/errors.js';
import { retryOnConflict } from '../kube/conflict-retry.js';
import type { KubeClient } from '../kube/types.js';
import { describeHolder, heldLease, LEASE_API_VERSION, releasedLease, type Lease } from './lease-record.js';
import type { HeldLock, LockDeps, LockOperation } from './types.js';

export interface HeldLeaseConfig {
  namespace: string;
  name: string;
  identity: string;
  operation?: LockOperation;
  leaseDurationSeconds: number;
  renewEveryMs: number;
  renewDeadlineMs: number;
  retryEveryMs: number;
  /** Taken by the first write on the caller's observation (HeldLock.sinceObserved). */
  sinceObserved?: boolean;
}

export class HeldLease implements HeldLock {
  readonly identity: string;
  readonly namespace: string;
  readonly leaseName: string;
  readonly epoch: number;
  readonly acquiredAt: Date;
  readonly sinceObserved: boolean;
  readonly #lostController = new AbortController();
  readonly #stop = new AbortController();
  readonly #client: KubeClient;
  readonly #cfg: HeldLeaseConfig;
  readonly #deps: LockDeps;
  #lease: Lease;
  #lastRenewMs: number;
  #renewing: Promise<void>;
  #released = false;
  /** Serialises writes to the lease (renewal, setOperation, release). */
  #writeChain: Promise<unknown> = Promise.resolve();

  constructor(client: KubeClient, cfg: HeldLeaseConfig, lease: Lease, deps: LockDeps) {
    this.#client = client;
    this.#cfg = cfg;
    this.#deps = deps;
    this.#lease = lease;
    this.identity = cfg.identity;
    this.namespace = cfg.namespace;
    this.leaseName = cfg.name;
    this.epoch = lease.spec?.leaseTransitions ?? 0;
    this.acquiredAt = new Date(deps.clock());
    this.sinceObserved = Boolean(cfg.sinceObserved);
    this.#lastRenewMs = deps.clock();
    this.#renewing = this.#renewLoop();
  }

  get lost(): AbortSignal {
    return this.#lostController.signal;
  }

  assertHeld(): void {
    if (this.lost.aborted) {
      throw new LockError(`lost the lock ${this.namespace}/${this.leaseName}: ${String(this.lost.reason)}`, {
        remedy: 'another run may be changing the app now; check `cutover status` before re-running',
      });
    }
  }

  async setOperation(operation: LockOperation): Promise<void> {
    this.assertHeld();
    this.#cfg.operation = operation;
    await this.#write(() => this.#renewOnce());
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#stop.abort();
    await this.#renewing;
    if (this.lost.aborted) return;
    try {
      await this.#write(() => this.#releaseOnce());
    } catch (err) {
      // Never mask the caller's own error from a `using` block: say it, the lease expires anyway.
      this.#deps.logger.warn(
        `could not release ${this.namespace}/${this.leaseName} (it expires in ${this.#cfg.leaseDurationSeconds} s): ${(err as Error).message}`,
      );
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  #write<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#writeChain.then(fn, fn);
    this.#writeChain = next.catch(() => undefined);
    return next;
  }

  async #renewLoop(): Promise<void> {
    while (!this.#stop.signal.aborted && !this.lost.aborted) {
      const failing = this.#deps.clock() - this.#lastRenewMs > this.#cfg.renewEveryMs;
      await this.#deps.sleep(failing ? this.#cfg.retryEveryMs : this.#cfg.renewEveryMs, this.#stop.signal);
      if (this.#stop.signal.aborted) return;
      try {
        await this.#write(() => this.#renewOnce());
      } catch (err) {
        const silentMs = this.#deps.clock() - this.#lastRenewMs;
        this.#deps.logger.warn(
          `renewing lock ${this.namespace}/${this.leaseName} failed (${silentMs} ms since last renewal): ${(err as Error).message}`,
        );
        if (silentMs > this.#cfg.renewDeadlineMs) this.#lose(`no renewal for ${silentMs} ms`);
      }
    }
  }

  /** One PUT from the lease we last wrote; on Conflict re-read once to see who changed it. */
  async #renewOnce(): Promise<void> {
    if (this.lost.aborted) return;
    const { leaseDurationSeconds, operation } = this.#cfg;
    try {
      this.#lease = await this.#client.replace(
        heldLease(this.#lease, this.identity, leaseDurationSeconds, this.#deps.clock(), operation),
      );
    } catch (err) {
      if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
      const current = await this.#client.getOptional<Lease>(this.#ref());
      if (!current || current.spec?.holderIdentity !== this.identity) {
        this.#lose(current ? describeHolder(current) : 'the lease was deleted');
        return;
      }
      this.#lease = await this.#client.replace(
        heldLease(current, this.identity, leaseDurationSeconds, this.#deps.clock(), operation),
      );
    }
    this.#lastRenewMs = this.#deps.clock();
  }

  /**
   * Releases with a PUT from the lease we last wrote; on a 409 re-reads the Lease and releases it
   * only while this process still holds it, as often as conflicts allow (retryOnConflict).
   */
  async #releaseOnce(): Promise<void> {
    const ref = this.#ref();
    await retryOnConflict(
      async (n) => {
        const lease = n === 1 ? this.#lease : await this.#client.getOptional<Lease>(ref);
        if (!lease || lease.spec?.holderIdentity !== this.identity) return;
        await this.#client.replace(releasedLease(lease, this.#deps.clock()));
      },
      {
        what: `release lock ${this.namespace}/${this.leaseName}`,
        logger: this.#deps.logger,
        sleep: this.#deps.sleep,
        random: this.#deps.random,
      },
    );
  }

  #lose(reason: string): void {
    if (!this.lost.aborted) {
      this.#deps.logger.warn(`lost lock ${this.namespace}/${this.leaseName}: ${reason}`);
      this.#lostController.abort(reason);
    }
  }

  #ref() {
    return { apiVersion: LEASE_API_VERSION, kind: 'Lease', namespace: this.namespace, name: this.leaseName };
  }
}
