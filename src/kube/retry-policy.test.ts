import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionFor, backoffMs, DEFAULT_RETRY_POLICY, retryAfterMs } from './retry-policy.js';

test('which failures are retried, read back, or reported', () => {
  for (const status of [500, 502, 503, 504]) {
    assert.equal(actionFor('read', { status }), 'retry');
    assert.equal(actionFor('create', { status }), 'resolve');
    assert.equal(actionFor('conditional-write', { status }), 'resolve');
  }
  for (const kind of ['read', 'create', 'write', 'conditional-write'] as const) {
    assert.equal(actionFor(kind, { status: 429 }), 'retry', 'throttled: the server did not act');
    assert.equal(actionFor(kind, { code: 'ETIMEDOUT', notSent: true }), 'retry', 'never connected');
    for (const status of [400, 401, 403, 404, 422, 501]) assert.equal(actionFor(kind, { status }), 'fail');
    assert.equal(actionFor(kind, { code: 'ECONNREFUSED' }), 'fail', 'nothing listens: say so at once');
    assert.equal(actionFor(kind, { code: 'ENOTFOUND' }), 'fail');
  }
  assert.equal(actionFor('read', { code: 'ECONNRESET' }), 'retry');
  assert.equal(actionFor('write', { code: 'ECONNRESET' }), 'resolve');
  assert.equal(actionFor('write', { status: 409 }), 'retry', 'an unconditional write may go again');
  assert.equal(actionFor('conditional-write', { status: 409 }), 'fail', 're-read and re-plan instead');
  assert.equal(actionFor('create', { status: 409 }), 'fail');
});

test('back-off doubles up to the cap with jitter; Retry-After wins up to its cap', () => {
  const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
  assert.equal(
    backoffMs(p, 1, () => 0),
    50,
  );
  assert.equal(
    backoffMs(p, 1, () => 0.999),
    100,
  );
  assert.equal(
    backoffMs(p, 3, () => 0),
    200,
  );
  assert.equal(
    backoffMs(p, 10, () => 0.999),
    1000,
  );
  assert.equal(
    backoffMs(p, 10, () => 0),
    500,
  );
  assert.equal(
    backoffMs(p, 1, () => 0.5, 3000),
    3000,
  );
  assert.equal(
    backoffMs(p, 1, () => 0.5, 60_000),
    5000,
  );
});

test('Retry-After in seconds or as an HTTP date', () => {
  assert.equal(retryAfterMs('2', 0), 2000);
  assert.equal(retryAfterMs(undefined, 0), undefined);
  assert.equal(retryAfterMs('soon', 0), undefined);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now), 3000);
});
