import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlreadyExistsError, ConflictError, NotFoundError } from './errors.js';
import { createOutcome, deleteOutcome, holdsPatch, patchOutcome, replaceOutcome } from './write-outcome.js';
import type { KubeObject } from './types.js';

const dep = (rv: string, replicas: number | string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', resourceVersion: rv, labels: { app: 'web' }, uid: 'u1' },
  spec: { replicas, template: { spec: { containers: [{ name: 'c', image: 'i', ...extra }] } } },
});

test('replace: same resourceVersion → not applied; our content → applied; other content → Conflict', () => {
  const sent = dep('5', 3);
  assert.equal(replaceOutcome('w', sent, dep('5', 1)).outcome, 'not-applied');
  // The server adds defaults (here a field in the container); numbers and numeric strings match.
  assert.equal(
    replaceOutcome('w', sent, dep('6', '3', { imagePullPolicy: 'IfNotPresent' })).outcome,
    'applied',
  );
  const other = replaceOutcome('w', sent, dep('6', 4));
  assert.ok(other.outcome === 'conflict' && other.error instanceof ConflictError);
  assert.match((other as { error: Error }).error.message, /resourceVersion 5 → 6/);
  const gone = replaceOutcome('w', sent, undefined);
  assert.ok(gone.outcome === 'conflict' && gone.error instanceof NotFoundError);
});

test('create: absent → not applied; ours → applied; someone else’s → AlreadyExists', () => {
  const sent = dep('', 2);
  assert.equal(createOutcome('c', sent, undefined).outcome, 'not-applied');
  assert.equal(createOutcome('c', sent, dep('9', 2)).outcome, 'applied');
  const r = createOutcome('c', sent, dep('9', 7));
  assert.ok(r.outcome === 'conflict' && r.error instanceof AlreadyExistsError);
});

test('merge patch: null deletes, maps merge; conditional patches conflict, unconditional go again', () => {
  assert.ok(holdsPatch({ a: { b: 1, c: 2 } }, { a: { b: 1, d: null } }));
  assert.ok(!holdsPatch({ a: { b: 1, d: 3 } }, { a: { d: null } }));
  assert.ok(!holdsPatch({ a: [1, 2] }, { a: [1] }), 'lists replace');
  const now = dep('8', 3);
  assert.equal(
    patchOutcome('p', { metadata: { resourceVersion: '8' }, spec: { replicas: 5 } }, now).outcome,
    'not-applied',
  );
  assert.equal(
    patchOutcome('p', { metadata: { resourceVersion: '7' }, spec: { replicas: 3 } }, now).outcome,
    'applied',
  );
  assert.equal(
    patchOutcome('p', { metadata: { resourceVersion: '7' }, spec: { replicas: 5 } }, now).outcome,
    'conflict',
  );
  assert.equal(patchOutcome('p', { spec: { replicas: 5 } }, now).outcome, 'not-applied');
});

test('delete: gone or terminating → applied; changed under a precondition → Conflict', () => {
  assert.equal(deleteOutcome('d', {}, undefined).outcome, 'applied');
  const terminating = { ...dep('3', 1), metadata: { ...dep('3', 1).metadata, deletionTimestamp: 'now' } };
  assert.equal(deleteOutcome('d', { resourceVersion: '2' }, terminating).outcome, 'applied');
  assert.equal(deleteOutcome('d', { uid: 'other' }, dep('3', 1)).outcome, 'applied');
  assert.equal(deleteOutcome('d', { resourceVersion: '3' }, dep('3', 1)).outcome, 'not-applied');
  assert.equal(deleteOutcome('d', { resourceVersion: '2' }, dep('3', 1)).outcome, 'conflict');
});
