import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, RestartBackoff } from './backoff.js';

test('the first restart is immediate, then the delay doubles from the previous restart up to the cap', () => {
  const b = new RestartBackoff({ baseMs: 10_000, maxMs: 40_000 });
  assert.equal(b.nextDelay(0), 0);
  b.restarted(0);
  assert.equal(b.nextDelay(1_000), 9_000, 'counted from the previous restart');
  b.restarted(10_000);
  assert.equal(b.currentStepMs(), 20_000);
  b.restarted(30_000);
  b.restarted(70_000);
  assert.equal(b.currentStepMs(), 40_000, 'capped');
  assert.equal(b.nextDelay(70_000 + 2 * 40_000 + 1), 0, 'a long quiet run starts over');
});

test('durations read as Go prints them', () => {
  assert.deepEqual([300, 1_200, 10_000, 80_000, 300_000].map(formatDuration), [
    '300ms',
    '1.2s',
    '10s',
    '1m20s',
    '5m0s',
  ]);
});
