import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PACKAGE_NAME, packageRoot, packageVersion } from './package-root.js';

test('the package name in code is the one in package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  assert.equal(pkg.name, PACKAGE_NAME);
  assert.equal(packageVersion(), pkg.version);
  assert.equal(packageRoot(), new URL('..', import.meta.url).pathname.replace(/\/$/, ''));
});
