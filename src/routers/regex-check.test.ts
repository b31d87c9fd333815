// re2Problem answers without compiling for the shape of the cookie regex cutover writes (so that
// re2js loads only for a regex a person wrote): that shortcut must never call a regex valid that
// RE2 refuses, nor change what a compiled regex matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RE2JS } from 're2js';
import { cookieRegex, DEFAULT_COOKIE_REGEX } from '../config/defaults.js';
import { cookieRegexShape, re2Problem } from './regex-check.js';

test('every cookie regex cutover writes has the shape, compiles as RE2, and matches its cookie among others', () => {
  const cookies: Array<[string, string]> = [
    ['test', 'true'],
    ['canary', 'yes'],
    ['x.y', 'a+b'],
    ['we(ird)', '[1]{2}|^$\\*?'],
    ['tester-id', 'ci/4711'],
  ];
  for (const [name, value] of cookies) {
    const regex = cookieRegex(name, value);
    assert.ok(cookieRegexShape(regex), regex);
    const re = RE2JS.compile(regex);
    assert.ok(re.matches(`a=1; ${name}=${value}; b=2`), `${regex} matches among others`);
    assert.ok(!re.matches(`a=1; ${name}=${value}x`), `${regex} is not fooled by a longer value`);
  }
  assert.ok(cookieRegexShape(DEFAULT_COOKIE_REGEX));
  assert.equal(re2Problem(DEFAULT_COOKIE_REGEX), undefined);
});

test('near misses of the shape are compiled, and a broken regex is still named', () => {
  const nearMisses = [
    '^(.*?;\\s*)?test=(true(;.*)?$', // an unescaped special in the value
    '^(.*?;\\s*)?te\\st=true(;.*)?$', // an escape that is not of a special
    '^(.*?;\\s*)?=true(;.*)?$', // no name
    '^(.*?;\\s*)?test=true\\(;.*)?$', // the suffix broken by an escape
    '^(.*?;\\s*)?test(;.*)?$', // no value
  ];
  for (const regex of nearMisses) {
    assert.ok(!cookieRegexShape(regex), regex);
    let compiles = true;
    try {
      RE2JS.compile(regex);
    } catch {
      compiles = false;
    }
    assert.equal(re2Problem(regex) === undefined, compiles, regex);
  }
  assert.match(re2Problem('((') ?? '', /is not a valid RE2 regex/);
  assert.match(re2Problem('(a)\\1') ?? '', /is not a valid RE2 regex/);
  assert.match(
    re2Problem('x'.repeat(20), { maxLength: 10, who: 'Istio' }) ?? '',
    /longer than Istio's limit/,
  );
});
