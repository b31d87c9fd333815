import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExpectation, parseExpectation } from './expect.js';
import { InputError } from '../errors.js';

test('expectations compare JSON values at a path', () => {
  const doc = { ready: true, version: 'v2', db: { pool: [{ size: 3 }] } };
  assert.equal(checkExpectation(parseExpectation('.ready == true'), doc), undefined);
  assert.equal(checkExpectation(parseExpectation('.ready'), doc), undefined);
  assert.equal(checkExpectation(parseExpectation('.version == "v2"'), doc), undefined);
  assert.equal(checkExpectation(parseExpectation('.db.pool[0].size >= 3'), doc), undefined);
  assert.equal(checkExpectation(parseExpectation('.version != "v1"'), doc), undefined);
  assert.equal(
    checkExpectation(parseExpectation('.ready == false'), doc),
    'expected .ready == false, got true',
  );
  assert.equal(checkExpectation(parseExpectation('.missing'), doc), 'expected .missing, got nothing');
});

test('an expectation that cannot be read is bad input, never a pass', () => {
  assert.throws(() => parseExpectation('ready == true'), InputError);
  assert.throws(() => parseExpectation('.version == v2'), InputError);
});
