import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { parseInstall } from './install.js';

const tarball = Buffer.from('not really a tarball');
const sha = createHash('sha256').update(tarball).digest('hex');
const read = (p: string) => {
  if (p === '/repo/vendor/cutover.tgz') return tarball;
  throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
};

test('the default is the published package; preinstalled is kept', () => {
  assert.deepEqual(parseInstall({}, '/repo', read), { kind: 'npm' });
  assert.deepEqual(parseInstall({ from: 'preinstalled' }, '/repo', read), { kind: 'preinstalled' });
});

test('a vendored tarball is named relative to the repository, with the sha256 of its bytes', () => {
  assert.deepEqual(parseInstall({ from: '/repo/vendor/cutover.tgz' }, '/repo', read), {
    kind: 'tarball',
    source: './vendor/cutover.tgz',
    sha256: sha,
  });
  assert.throws(
    () => parseInstall({ from: '/repo/vendor/cutover.tgz', sha256: '0'.repeat(64) }, '/repo', read),
    /its sha256 is/,
  );
  assert.throws(() => parseInstall({ from: '/elsewhere/cutover.tgz' }, '/repo', read), /outside/);
  assert.throws(() => parseInstall({ from: '/repo/missing.tgz' }, '/repo', read), /cannot read/);
});

test('a URL must be https and come with its sha256; bad input is an InputError (exit 2)', () => {
  const url = 'https://example.test/cutover-bg-cli-0.1.0.tgz';
  assert.deepEqual(parseInstall({ from: url, sha256: sha.toUpperCase() }, '/repo', read), {
    kind: 'tarball',
    source: url,
    sha256: sha,
  });
  for (const flags of [
    { from: url },
    { from: 'http://example.test/x.tgz', sha256: sha },
    { from: 'npm', sha256: sha },
    { from: url, sha256: 'abc' },
  ]) {
    assert.throws(() => parseInstall(flags, '/repo', read), InputError, JSON.stringify(flags));
  }
});
