// The per-app release lock on a coordination.k8s.io/v1 Lease.
export { acquireLock, defaultLockDeps, LOCK_DEFAULTS } from './acquire.js';
export { observeLease, observedFree } from './observe.js';
export { lockStatus, forceRelease } from './status.js';
export { holderIdentity, ciRunId, leaseName, microTime } from './identity.js';
export type * from './types.js';
