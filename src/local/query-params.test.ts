import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queryBool } from './query-params.js';

test('boolean query parameters decode as the API server parameter codec does', () => {
  const truthy = ['true', 'True', 'TRUE', 't', '1', 'yes', ''];
  const falsy = ['false', 'False', 'FALSE', 'fAlSe', '0'];
  for (const v of truthy) assert.equal(queryBool(new URLSearchParams({ watch: v }), 'watch'), true, v);
  for (const v of falsy) assert.equal(queryBool(new URLSearchParams({ watch: v }), 'watch'), false, v);
  assert.equal(queryBool(new URLSearchParams(''), 'watch'), false);
  assert.equal(queryBool(new URLSearchParams('watch'), 'watch'), true);
  // Only the first value counts.
  assert.equal(queryBool(new URLSearchParams('watch=0&watch=1'), 'watch'), false);
});
