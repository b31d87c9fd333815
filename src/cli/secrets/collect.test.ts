import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectSettings } from './collect.js';
import { desiredSecret, sameData } from './secret-object.js';
import { InputError } from '../../errors.js';

test("a color's settings: its prefix only, prefix stripped, keys sorted; no JSON of all secrets is read", () => {
  const env = {
    CUTOVER_ENV_BLUE_DB_USER: 'app',
    CUTOVER_ENV_BLUE_DB_PASSWORD: 'from-env',
    CUTOVER_ENV_GREEN_DB_PASSWORD: 'green',
    CUTOVER_ENV_BLUEISH: 'not a setting',
    PATH: '/bin',
    CUTOVER_CI_SECRETS: JSON.stringify({ CUTOVER_ENV_BLUE_DB_HOST: 'db', github_token: 't' }),
  };
  assert.deepEqual(Object.entries(collectSettings(env, 'CUTOVER_ENV_', 'blue')), [
    ['DB_PASSWORD', 'from-env'],
    ['DB_USER', 'app'],
  ]);
  assert.deepEqual(collectSettings(env, 'CUTOVER_ENV_', 'green'), { DB_PASSWORD: 'green' });
  assert.deepEqual(collectSettings({}, 'CUTOVER_ENV_', 'green'), {});
});

test('bad input is an InputError that never quotes a value', () => {
  const secret = 'hunter2-very-secret';
  assert.throws(
    () => collectSettings({ 'CUTOVER_ENV_BLUE_DB-PASS': secret }, 'CUTOVER_ENV_', 'blue'),
    (err: InputError) => {
      return err instanceof InputError && /DB-PASS/.test(err.message) && !err.message.includes(secret);
    },
  );
});

test('the Secret: data replaced whole, base64, labelled; unchanged data is recognised', () => {
  const target = { name: 'env-blue', namespace: 'shop', app: 'myapp', color: 'blue' as const };
  const s = desiredSecret(target, { B: 'two', A: 'one' });
  assert.deepEqual(s.data, { A: 'b25l', B: 'dHdv' });
  assert.equal(s.metadata.labels?.['app.kubernetes.io/managed-by'], 'cutover');
  assert.ok(sameData(s, { A: 'one', B: 'two' }));
  assert.ok(!sameData(s, { A: 'one' }));
  assert.ok(!sameData(undefined, {}));
  const live = { ...s, metadata: { ...s.metadata, resourceVersion: '7', labels: { team: 'x' } } };
  const next = desiredSecret(target, { A: 'new' }, live);
  assert.equal(next.metadata.resourceVersion, '7');
  assert.equal(next.metadata.labels?.team, 'x');
  assert.deepEqual(next.data, { A: 'bmV3' });
});
