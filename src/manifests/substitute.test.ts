import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import { substituteDocument, substituteString } from './substitute.js';

function render(yaml: string, vars: Record<string, string | undefined>) {
  const doc = parseDocument(yaml);
  const unset = substituteDocument(doc, vars);
  return { value: doc.toJS() as Record<string, unknown>, unset };
}

test('a value carrying YAML stays one string: no injection', () => {
  const { value } = render('env:\n  - name: A\n    value: "$EVIL"\n  - name: B\n    value: $EVIL\n', {
    EVIL: 'x\n  - name: INJECTED\n    value: 1\nkind: Secret',
  });
  const env = value.env as Array<{ name: string; value: unknown }>;
  assert.equal(env.length, 2);
  assert.equal(env[0]!.value, 'x\n  - name: INJECTED\n    value: 1\nkind: Secret');
  assert.equal(env[1]!.value, 'x\n  - name: INJECTED\n    value: 1\nkind: Secret');
  assert.equal(value.kind, undefined);
});

test('"a: b\\nc" stays a string, in quoted and plain scalars', () => {
  const { value } = render('x: $V\ny: "${V}"\n', { V: 'a: b\nc' });
  assert.deepEqual(value, { x: 'a: b\nc', y: 'a: b\nc' });
});

test('every unset variable is reported with its field path', () => {
  const { unset } = render(
    'spec:\n  http:\n  - route:\n    - destination:\n        subset: $COLOR_ACTIVE\n  name: ${APP}-$COLOR_TEST\n',
    { APP: 'myapp' },
  );
  assert.deepEqual(unset, [
    { name: 'COLOR_ACTIVE', field: 'spec.http[0].route[0].destination.subset' },
    { name: 'COLOR_TEST', field: 'spec.name' },
  ]);
});

test('an empty value is set (only undefined is unset)', () => {
  const { value, unset } = render('a: "$E"\n', { E: '' });
  assert.deepEqual(unset, []);
  assert.equal(value.a, '');
});

test('$$ is a literal $, and a $ before no name (end of a regex) stays', () => {
  assert.equal(
    substituteString('cost $$5 ^(.*?;)?(test=true)(;.*)?$', {}, () => assert.fail('no refs')),
    'cost $5 ^(.*?;)?(test=true)(;.*)?$',
  );
});

test('a plain scalar that is one reference takes its YAML type; quoted ones stay strings', () => {
  const { value } = render('replicas: $N\nport: "$N"\nflag: $B\nname: app-$N\n', { N: '3', B: 'true' });
  assert.deepEqual(value, { replicas: 3, port: '3', flag: true, name: 'app-3' });
});

test('keys are never substituted', () => {
  const { value } = render('$K: v\n', { K: 'x' });
  assert.deepEqual(value, { $K: 'v' });
});
