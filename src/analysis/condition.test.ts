import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCondition, parseCondition, passes } from './condition.js';
import { histogramQuantile } from './histogram.js';
import { parseExposition } from './prometheus-text.js';
import { renderTemplate, unknownPlaceholders } from './template.js';

test('expressions compare result with numbers, with && || ! and parentheses', () => {
  const p = parseCondition('result >= 95 && !(result == 97) || result < -1e2');
  assert.equal(p(96), true);
  assert.equal(p(97), false);
  assert.equal(p(94.9), false);
  assert.equal(p(-200), true);
  assert.equal(parseCondition('result!=0')(0), false);
});

test('a broken expression is an error that says where, never a pass', () => {
  assert.throws(() => parseCondition('result >= '), /expected more at the end/);
  assert.throws(() => parseCondition('result => 5'), /unexpected "=|cannot read/);
  assert.throws(() => parseCondition('95'), /must compare `result`/);
  assert.throws(() => parseCondition('result >= 1)'), /unexpected "\)"/);
  assert.throws(() => parseCondition('process.exit(1)'), /cannot read/);
});

test('min, max and condition must all hold; the description reads like the config', () => {
  const c = { min: 95, max: 100, condition: 'result != 99' };
  assert.equal(passes(c, 96), true);
  assert.equal(passes(c, 94), false);
  assert.equal(passes(c, 99), false);
  assert.equal(passes({ min: 95 }, Number.NaN), false);
  assert.equal(describeCondition(c), 'min 95, max 100, "result != 99"');
});

test('histogram_quantile interpolates inside the bucket as Prometheus does, +Inf answers the last finite bound', () => {
  const b = (pairs: Array<[number, number]>) => pairs.map(([le, count]) => ({ le, count }));
  // 100 observations: 90 ≤ 10 ms, 10 in (10, 100].
  assert.equal(
    histogramQuantile(
      0.5,
      b([
        [10, 90],
        [100, 100],
        [Infinity, 100],
      ]),
    ),
    (10 * 50) / 90,
  );
  assert.equal(
    histogramQuantile(
      0.99,
      b([
        [10, 90],
        [100, 100],
        [Infinity, 100],
      ]),
    ),
    10 + 90 * (9 / 10),
  );
  assert.equal(
    histogramQuantile(
      0.99,
      b([
        [10, 0],
        [100, 0],
        [Infinity, 5],
      ]),
    ),
    100,
  );
  assert.equal(
    histogramQuantile(
      0.99,
      b([
        [10, 0],
        [Infinity, 0],
      ]),
    ),
    undefined,
  );
});

test('the exposition parser reads labels with escapes and skips comments', () => {
  const s = parseExposition(
    '# TYPE x counter\nx{a="1",b="q\\"uote"} 3\ny 4 1700000000\nx{le="+Inf"} +Inf\n',
    new Set(['x']),
  );
  assert.deepEqual(s, [
    { name: 'x', labels: { a: '1', b: 'q"uote' }, value: 3 },
    { name: 'x', labels: { le: '+Inf' }, value: Infinity },
  ]);
});

test('templates fill the known variables, escape them for PromQL strings, and name unknown ones', () => {
  const v = {
    app: 'web',
    namespace: 'shop',
    color: 'green',
    release: 'r"1',
    interval: '30s',
    workload: 'web-green',
  };
  assert.equal(
    renderTemplate('x{a="{{app}}",w="{{ workload }}",r="{{release}}"}[{{interval}}]', v),
    'x{a="web",w="web-green",r="r\\"1"}[30s]',
  );
  assert.deepEqual(unknownPlaceholders('{{app}} {{target}} {{ canary }}'), ['target', 'canary']);
});
