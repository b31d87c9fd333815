// Seeing the lease without taking it: one GET, for a caller that reads the cluster while it
// decides, then takes the lock on what it saw (AcquireLockOptions.observed). Kept apart from
// acquire.ts so that the engine can look before the lock's own module has loaded.
import type { KubeClient } from '../kube/types.js';
import { leaseName } from './identity.js';
import { LEASE_API_VERSION, leaseLapsed, type Lease } from './lease-record.js';
import type { LeaseObservation } from './types.js';

/**
 * One GET of the app's lease, for a caller that wants to take the lock on what it saw
 * (`AcquireLockOptions.observed`) and to read the cluster meanwhile: reads started after an
 * observation that found the lock free see every write of the previous holder, which released
 * the lease only after its last write.
 */
export async function observeLease(
  client: KubeClient,
  namespace: string,
  app: string,
  clock: () => number = Date.now,
): Promise<LeaseObservation> {
  const ref = { apiVersion: LEASE_API_VERSION, kind: 'Lease', namespace, name: leaseName(app) };
  const lease = await client.getOptional<Lease>(ref);
  return { lease, atMs: clock() };
}

/** Whether the lease as observed can be taken at once: none yet, released, or lapsed. */
export function observedFree(observed: LeaseObservation, nowMs: number): boolean {
  const lease = observed.lease;
  return !lease?.spec?.holderIdentity || leaseLapsed(lease, nowMs);
}
