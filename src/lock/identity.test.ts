import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciRunId, clockTime, holderIdentity, microTime } from './identity.js';
import { heldLease, releasedLease, type Lease } from './lease-record.js';

test('MicroTime has exactly 6 fractional digits', () => {
  assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 278)), '2026-01-02T03:04:05.278000Z');
  assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 0)), '2026-01-02T03:04:05.000000Z');
});

test('holder identity names the CI run, host and pid', () => {
  assert.equal(
    holderIdentity({ SEMAPHORE_WORKFLOW_ID: 'wf1', GITHUB_RUN_ID: 'x' }, 'runner', 42),
    'semaphore-wf1@runner/42',
  );
  assert.equal(holderIdentity({ GITHUB_RUN_ID: '99', GITHUB_RUN_ATTEMPT: '2' }, 'h', 1), 'github-99.2@h/1');
  assert.equal(ciRunId({ CI_PIPELINE_ID: '7' }), 'gitlab-7');
  assert.equal(holderIdentity({}, 'laptop', 5), 'laptop/5');
});

test('clockTime for messages', () => {
  assert.equal(clockTime('2026-01-02T10:02:03.000000Z'), '10:02:03 UTC');
});

const lease = (holder: string, transitions: number): Lease => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'l', resourceVersion: '5' },
  spec: {
    holderIdentity: holder,
    leaseDurationSeconds: 60,
    acquireTime: 'A',
    renewTime: 'R',
    leaseTransitions: transitions,
  },
});

test('renewing keeps acquireTime and transitions; taking over starts a new epoch', () => {
  const renewed = heldLease(lease('me', 2), 'me', 60, 0);
  assert.equal(renewed.spec!.acquireTime, 'A');
  assert.equal(renewed.spec!.leaseTransitions, 2);
  assert.equal(renewed.metadata.resourceVersion, '5');
  const taken = heldLease(lease('other', 2), 'me', 60, 0);
  assert.equal(taken.spec!.acquireTime, '1970-01-01T00:00:00.000000Z');
  assert.equal(taken.spec!.leaseTransitions, 3);
  const released = releasedLease(lease('me', 2), 0);
  assert.equal(released.spec!.holderIdentity, '');
  assert.equal(released.spec!.leaseDurationSeconds, 1);
});
