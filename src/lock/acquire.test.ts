import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSeconds } from './acquire.js';

test('waited seconds read with one decimal below 10 s and whole from there, judged after rounding', () => {
  assert.equal(formatSeconds(0), '0.0 s');
  assert.equal(formatSeconds(2_345), '2.3 s');
  assert.equal(formatSeconds(9_940), '9.9 s');
  // A reminder due at 10 s fires a few ms early: it says "10 s", as the timeout line does.
  assert.equal(formatSeconds(9_960), '10 s');
  assert.equal(formatSeconds(10_000), '10 s');
  assert.equal(formatSeconds(16_000), '16 s');
  assert.equal(formatSeconds(15_600), '16 s');
});
