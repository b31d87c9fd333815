import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseAllDocuments, parseDocument, YAML_LIMITS } from './bounded.js';

const firstError = (text: string) => parseDocument(text).errors[0]?.message ?? '';

test('duplicate keys are still refused, by a linear check', () => {
  assert.match(firstError('a: 1\nb:\n  c: 1\n  c: 2\n'), /Map keys must be unique: "c" is repeated/);
  assert.equal(firstError('a: 1\nb: {c: 1, d: 2}\n'), '');
  assert.deepEqual(parse('a: &x [1, 2]\nb: *x\n'), { a: [1, 2], b: [1, 2] });
});

test('an alias bomb is refused before it expands, naming the limit', () => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  const message = firstError(lines.join('\n') + '\n');
  assert.match(message, new RegExp(`past the limit of ${YAML_LIMITS.maxExpandedNodes} nodes`));
  assert.throws(() => parse(lines.join('\n')), /alias bomb/);
});

test('absurd nesting and oversized files are refused with the limit', () => {
  const deep = '['.repeat(YAML_LIMITS.maxDepth + 5) + ']'.repeat(YAML_LIMITS.maxDepth + 5);
  assert.match(
    firstError(deep),
    new RegExp(`nesting deeper than the limit of ${YAML_LIMITS.maxDepth} levels`),
  );
  const veryDeep = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.match(firstError(veryDeep), /nesting deeper than the limit/);
  const big = 'a: "' + 'x'.repeat(YAML_LIMITS.maxBytes) + '"\n';
  assert.match(firstError(big), new RegExp(`above the limit of ${YAML_LIMITS.maxBytes} bytes`));
  assert.match(parseAllDocuments(big)[0]!.errors[0]!.message, /above the limit/);
});

test('cutover.yaml over a limit is bad input naming the file and the limit (exit 2)', async () => {
  const { loadConfig } = await import('../config/load.js');
  const { InputError } = await import('../errors.js');
  const bomb = ['app: myapp', 'x0: &x0 [a, a, a, a, a, a, a, a, a, a]'];
  for (let i = 1; i < 8; i++)
    bomb.push(
      `x${i}: &x${i} [${Array(10)
        .fill(`*x${i - 1}`)
        .join(', ')}]`,
    );
  assert.throws(
    () => loadConfig('/ci/cutover.yaml', { env: {}, readFile: () => bomb.join('\n') }),
    (err: unknown) =>
      err instanceof InputError &&
      err.file === '/ci/cutover.yaml' &&
      /past the limit of \d+ nodes/.test(err.message),
  );
});
