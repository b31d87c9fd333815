import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineDiff } from './line-diff.js';

test('equal texts: no diff', () => {
  assert.equal(lineDiff('a\nb\n', 'a\nb\n', 'f.yml'), '');
});

test('a changed line shows as - and + with its line number and context', () => {
  const before = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'].join('\n');
  const after = ['one', 'two', 'three', 'FOUR', 'five', 'six', 'seven'].join('\n');
  assert.equal(
    lineDiff(before, after, 'f.yml'),
    [
      '--- f.yml (committed)',
      '+++ f.yml (cutover would write)',
      '@@ line 2 @@',
      ' two',
      ' three',
      '-four',
      '+FOUR',
      ' five',
      ' six',
    ].join('\n'),
  );
});

test('added and removed lines far apart make two hunks', () => {
  const a = Array.from({ length: 20 }, (_, i) => `l${i}`);
  const b = [...a.slice(0, 3), 'new', ...a.slice(3, 15), ...a.slice(16)];
  const diff = lineDiff(a.join('\n'), b.join('\n'), 'x');
  assert.equal((diff.match(/^@@/gm) ?? []).length, 2);
  assert.match(diff, /^\+new$/m);
  assert.match(diff, /^-l15$/m);
});
