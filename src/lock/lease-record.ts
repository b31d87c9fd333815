// The Lease object and the pure transitions of the lock on it (create, take over, renew,
// release), kept apart from the I/O so the rules read in one place.
import type { KubeObject } from '../kube/types.js';
import { clockTime, microTime } from './identity.js';
import type { LockOperation } from './types.js';

export const LEASE_API_VERSION = 'coordination.k8s.io/v1';
export const OPERATION_ANNOTATION = 'cutover.dev/operation';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export type Lease = KubeObject & { spec?: LeaseSpec };

export function newLease(
  namespace: string,
  name: string,
  me: string,
  durationSeconds: number,
  nowMs: number,
  op?: LockOperation,
): Lease {
  const now = microTime(nowMs);
  return {
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'cutover' },
      annotations: operationAnnotation(op),
    },
    spec: {
      holderIdentity: me,
      leaseDurationSeconds: durationSeconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    },
  };
}

/**
 * The lease as we write it to hold it. Renewing our own keeps acquireTime and leaseTransitions;
 * taking it from someone else (or from nobody after a release) starts a new epoch.
 */
export function heldLease(
  current: Lease,
  me: string,
  durationSeconds: number,
  nowMs: number,
  op?: LockOperation,
): Lease {
  const spec = current.spec ?? {};
  const renewing = spec.holderIdentity === me;
  const now = microTime(nowMs);
  return {
    ...current,
    metadata: {
      ...current.metadata,
      annotations: { ...current.metadata.annotations, ...operationAnnotation(op) },
    },
    spec: {
      ...spec,
      holderIdentity: me,
      leaseDurationSeconds: durationSeconds,
      acquireTime: renewing && spec.acquireTime ? spec.acquireTime : now,
      renewTime: now,
      leaseTransitions: renewing ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    },
  };
}

/** client-go's release(): empty holder, 1 s duration, so any waiter may take it at once. */
export function releasedLease(current: Lease, nowMs: number): Lease {
  const annotations = { ...current.metadata.annotations };
  delete annotations[OPERATION_ANNOTATION];
  const now = microTime(nowMs);
  return {
    ...current,
    metadata: { ...current.metadata, annotations },
    spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
  };
}

export function operationAnnotation(op: LockOperation | undefined): Record<string, string> {
  return op ? { [OPERATION_ANNOTATION]: JSON.stringify(op) } : {};
}

export function readOperation(lease: Lease): LockOperation | undefined {
  const raw = lease.metadata.annotations?.[OPERATION_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as LockOperation;
  } catch {
    // Someone wrote a non-JSON value by hand: show nothing rather than fail a status call.
    return undefined;
  }
}

/**
 * When the lease lapses: renewTime + leaseDurationSeconds (the Lease API's meaning). `lock
 * status` and the acquiring run both judge by this one function, so "expired" means the next
 * run takes the lock at once. renewTime is written by the holder's clock and compared with ours:
 * this assumes the clocks of the machines running cutover agree to well within a lease duration
 * (NTP; see docs/adr/0007). Undefined when the lease has no readable renewTime.
 */
export function leaseExpiresAt(lease: Lease): number | undefined {
  const renewed = Date.parse(lease.spec?.renewTime ?? '');
  if (!Number.isFinite(renewed)) return undefined;
  return renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
}

export function leaseLapsed(lease: Lease, nowMs: number): boolean {
  const at = leaseExpiresAt(lease);
  return at !== undefined && at <= nowMs;
}

/** The part of the lease whose change resets the observed time (client-go compares the record). */
export function recordKey(lease: Lease): string {
  const s = lease.spec ?? {};
  return JSON.stringify([
    s.holderIdentity,
    s.renewTime,
    s.acquireTime,
    s.leaseTransitions,
    s.leaseDurationSeconds,
  ]);
}

/** "lock held by ci-4711 since 10:02:03 UTC (deploy of release r42)". */
export function describeHolder(lease: Lease): string {
  const s = lease.spec ?? {};
  const op = readOperation(lease);
  const what = op?.phase ? ` (${op.phase}${op.release ? ` of release ${op.release}` : ''})` : '';
  return `lock held by ${s.holderIdentity} since ${clockTime(s.acquireTime)}${what}`;
}
