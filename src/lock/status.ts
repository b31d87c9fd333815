// `cutover lock status` and `cutover lock release --force`.
import { ConflictError } from '../kube/errors.js';
import type { KubeClient } from '../kube/types.js';
import { clockTime, leaseName } from './identity.js';
import {
  describeHolder,
  leaseExpiresAt,
  leaseLapsed,
  LEASE_API_VERSION,
  readOperation,
  releasedLease,
  type Lease,
} from './lease-record.js';
import type { LockStatus } from './types.js';

export async function lockStatus(
  client: KubeClient,
  namespace: string,
  app: string,
  deps: { clock: () => number } = { clock: () => Date.now() },
): Promise<LockStatus> {
  const name = leaseName(app);
  const lease = await client.getOptional<Lease>(ref(namespace, name));
  return statusOf(lease, namespace, name, deps.clock());
}

function statusOf(lease: Lease | undefined, namespace: string, name: string, nowMs: number): LockStatus {
  const base = { namespace, leaseName: name, transitions: lease?.spec?.leaseTransitions ?? 0 };
  const s = lease?.spec;
  if (!lease || !s?.holderIdentity) {
    return { ...base, held: false, expired: false, summary: `lock free (Lease ${namespace}/${name})` };
  }
  // The same rule the acquiring run applies (leaseLapsed): expired means taken at once.
  const expiresAt = leaseExpiresAt(lease);
  const expired = leaseLapsed(lease, nowMs);
  const at = expiresAt === undefined ? undefined : new Date(expiresAt).toISOString();
  const when =
    at === undefined
      ? ', no readable renewTime (a waiting run takes it over after watching it unchanged for a lease duration)'
      : expired
        ? `, expired at ${clockTime(at)} (renewed ${clockTime(s.renewTime)} + ${s.leaseDurationSeconds ?? 0} s): the next run takes it over at once`
        : `, expires at ${clockTime(at)} unless renewed`;
  const summary = `${describeHolder(lease)}${when}`;
  return {
    ...base,
    held: !expired,
    holder: s.holderIdentity,
    since: s.acquireTime,
    renewedAt: s.renewTime,
    leaseDurationSeconds: s.leaseDurationSeconds,
    expiresAt: at,
    operation: readOperation(lease),
    expired,
    summary,
  };
}

/** Releases whoever holds it (an operator's decision). Returns the status before. */
export async function forceRelease(
  client: KubeClient,
  namespace: string,
  app: string,
  deps: { clock: () => number } = { clock: () => Date.now() },
): Promise<LockStatus> {
  const name = leaseName(app);
  for (let attempt = 1; ; attempt++) {
    const lease = await client.getOptional<Lease>(ref(namespace, name));
    const before = statusOf(lease, namespace, name, deps.clock());
    if (!lease || !lease.spec?.holderIdentity) return before;
    try {
      await client.replace(releasedLease(lease, deps.clock()));
      return before;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 5) throw err;
    }
  }
}

function ref(namespace: string, name: string) {
  return { apiVersion: LEASE_API_VERSION, kind: 'Lease', namespace, name };
}
