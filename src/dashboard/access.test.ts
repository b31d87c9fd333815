import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Access, checkBinding, isLoopback } from './access.js';
import { InputError } from '../errors.js';

const req = (headers: Record<string, string>, method = 'GET') =>
  ({ headers, method }) as unknown as IncomingMessage;
const url = (path = '/') => new URL(path, 'http://x');

test('only loopback may be served without a token', () => {
  assert.ok(
    isLoopback('127.0.0.1') && isLoopback('127.8.0.1') && isLoopback('::1') && isLoopback('localhost'),
  );
  assert.ok(!isLoopback('0.0.0.0') && !isLoopback('10.0.0.1'));
  checkBinding('127.0.0.1', null);
  checkBinding('0.0.0.0', 'a-token');
  assert.throws(
    () => checkBinding('0.0.0.0', null),
    (e: unknown) => e instanceof InputError && /--no-token/.test(e.field ?? ''),
  );
  assert.throws(() => checkBinding('my-laptop', 't'), InputError);
});

test('the token is required by cookie, bearer or query, and compared in full', () => {
  const a = new Access('s3cret', Access.hostsFor('127.0.0.1', 8080));
  const host = { host: '127.0.0.1:8080' };
  assert.equal(a.check(req(host), url()).status, 401);
  assert.ok(a.check(req({ ...host, cookie: 'x=1; cutover_dashboard=s3cret' }), url()).ok);
  assert.ok(a.check(req({ ...host, authorization: 'Bearer s3cret' }), url()).ok);
  assert.ok(a.check(req(host), url('/?token=s3cret')).ok);
  assert.equal(a.check(req({ ...host, authorization: 'Bearer s3cre' }), url()).status, 401);
  assert.equal(
    a.check(req({ host: 'evil.example:8080', authorization: 'Bearer s3cret' }), url()).status,
    421,
  );
  assert.ok(a.check(req({ host: 'localhost:8080', authorization: 'Bearer s3cret' }), url()).ok);
});

test('a write with the cookie must come from the page itself', () => {
  const a = new Access('s3cret', Access.hostsFor('127.0.0.1', 8080));
  const base = { host: '127.0.0.1:8080', cookie: 'cutover_dashboard=s3cret' };
  assert.equal(a.check(req(base, 'POST'), url()).status, 403);
  assert.equal(a.check(req({ ...base, origin: 'http://evil.example' }, 'POST'), url()).status, 403);
  assert.equal(a.check(req({ ...base, origin: 'null' }, 'POST'), url()).status, 403);
  assert.ok(a.check(req({ ...base, origin: 'http://127.0.0.1:8080' }, 'POST'), url()).ok);
});
