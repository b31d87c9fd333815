import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forHistory, HIDDEN, Redactor, redactPatterns } from './redact.js';

test('known values are hidden, also in their JSON and base64 forms; short and trivial ones are not', () => {
  const r = new Redactor().add('s3cr"et-value').add('ab').add('true');
  assert.equal(r.redact('pw=s3cr"et-value!'), `pw=${HIDDEN}!`);
  assert.equal(r.redact(JSON.stringify({ pw: 's3cr"et-value' })), `{"pw":"${HIDDEN}"}`);
  assert.equal(r.redact(Buffer.from('s3cr"et-value').toString('base64')), HIDDEN);
  assert.equal(r.redact('ab true'), 'ab true');
});

test('secret-looking names, Secret data and deep values', () => {
  const r = new Redactor()
    .addSecretLooking({ DB_PASSWORD: 'hunter2-pw', API_TOKEN: 'tok-123456', HOME: '/home/me' })
    .addSecretData({ data: { key: Buffer.from('from-the-secret').toString('base64') } });
  assert.equal(
    r.redact('hunter2-pw tok-123456 /home/me from-the-secret'),
    `${HIDDEN} ${HIDDEN} /home/me ${HIDDEN}`,
  );
  assert.deepEqual(r.redactDeep({ a: ['x from-the-secret'], n: 3 }), { a: [`x ${HIDDEN}`], n: 3 });
});

test('patterns: URL userinfo, bearer tokens, JWTs, NAME=value of secret-looking names', () => {
  assert.equal(
    redactPatterns('GET http://user:pa55@gw.example/ready'),
    `GET http://${HIDDEN}@gw.example/ready`,
  );
  assert.equal(redactPatterns('postgres://admin@db:5432/x'), `postgres://${HIDDEN}@db:5432/x`);
  assert.equal(redactPatterns('Authorization: Bearer abcdefgh12345'), `Authorization: Bearer ${HIDDEN}`);
  assert.equal(
    redactPatterns('DB_PASSWORD=letmein99 NODE_ENV=production'),
    `DB_PASSWORD=${HIDDEN} NODE_ENV=production`,
  );
  assert.equal(redactPatterns('see https://example.com/a@b'), 'see https://example.com/a@b');
});

test('history text is redacted and capped', () => {
  const long = `${'x'.repeat(3000)} DB_PASSWORD=abcdef`;
  const out = forHistory(new Redactor(), long, 100)!;
  assert.ok(out.length < 150);
  assert.match(out, /… \(\d+ more characters\)$/);
  assert.equal(forHistory(undefined, 'TOKEN=zzzzzz'), `TOKEN=${HIDDEN}`);
});

test('a value allowed on purpose (the dashboard token in its URL) is shown; other secrets still are not', () => {
  const r = new Redactor().allow('Abc123xyz456');
  assert.equal(
    r.redact('dashboard: http://127.0.0.1:1/?token=Abc123xyz456'),
    'dashboard: http://127.0.0.1:1/?token=Abc123xyz456',
  );
  assert.equal(r.redact('API_TOKEN=somethingelse'), 'API_TOKEN=(hidden)');
});
