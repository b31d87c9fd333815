import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReleaseTag } from './release-tag.js';
import { InputError } from '../errors.js';

test('seed-style tags name the color; plain tags name none', () => {
  assert.deepEqual(parseReleaseTag('v1.0-green'), { version: '1.0', color: 'green' });
  assert.deepEqual(parseReleaseTag('v2.0-blue'), { version: '2.0', color: 'blue' });
  assert.deepEqual(parseReleaseTag('v1.2.3'), { version: '1.2.3' });
  assert.deepEqual(parseReleaseTag('v1.2.3-rc.1'), { version: '1.2.3-rc.1' });
  assert.deepEqual(parseReleaseTag('v1.2.3-rc.1-green'), { version: '1.2.3-rc.1', color: 'green' });
  assert.deepEqual(parseReleaseTag('v7'), { version: '7' });
});

test('a tag that names no version, or a misspelled color, is an InputError', () => {
  for (const bad of [
    '',
    'blue',
    'release-blue',
    'v-blue',
    'vnext',
    'v1.2/green',
    'v1..2',
    `v1.${'9'.repeat(70)}`,
  ]) {
    assert.throws(() => parseReleaseTag(bad), InputError, JSON.stringify(bad));
  }
  assert.throws(() => parseReleaseTag('v1.2-gren'), /misspelled color/);
  assert.throws(() => parseReleaseTag('v1.2-Blue'), /misspelled color/);
  assert.throws(
    () => parseReleaseTag('v1.2-bleu'),
    (err: InputError) => /v1\.2-blue/.test(err.remedy ?? ''),
  );
});

test('the Semaphore and GitLab tag rules let every release tag through, each to its color', () => {
  const gitlabRule = /^v/;
  const semaphoreBlue = /^v[0-9].*-blue$/;
  for (const tag of ['v1.0-green', 'v2.0-blue', 'v1.2.3']) {
    assert.ok(gitlabRule.test(tag));
    assert.equal(semaphoreBlue.test(tag), parseReleaseTag(tag).color === 'blue', tag);
  }
});
