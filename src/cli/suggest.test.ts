import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from './suggest.js';

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.equal(editDistance('deploi', 'deploy'), 1);
  assert.equal(editDistance('imgae', 'image'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('status', 'status'), 0);
});

test('closest suggests typos and unique prefixes, nothing for unrelated words', () => {
  const commands = ['deploy', 'decommission', 'promote', 'rollback', 'status'];
  assert.equal(closest('deploi', commands), 'deploy');
  assert.equal(closest('promo', commands), 'promote');
  assert.equal(closest('satus', commands), 'status');
  assert.equal(closest('frobnicate', commands), undefined);
  assert.equal(closest('de', commands), undefined);
});
