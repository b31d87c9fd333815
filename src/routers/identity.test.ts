import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIdentity, identityMismatch, parseIdentity, servedBy, IDENTITY_HEADER } from './identity.js';

test('the identity header round-trips and rejects what it does not understand', () => {
  const v = formatIdentity({ app: 'shop/cart', color: 'green', release: 'r7' });
  assert.equal(v, 'shop/cart green r7');
  assert.deepEqual(parseIdentity(v), { app: 'shop/cart', color: 'green', release: 'r7' });
  assert.deepEqual(parseIdentity('shop/cart blue -'), {
    app: 'shop/cart',
    color: 'blue',
    release: undefined,
  });
  for (const bad of [undefined, '', 'cart green r1', 'shop/cart purple r1', 'a/b green r1 extra'])
    assert.equal(parseIdentity(bad), undefined, String(bad));
});

test("another app's answer is named as such; an old route's color header is still read", () => {
  const want = { app: 'shop/myapp', color: 'green' as const, release: 'r2' };
  const other = servedBy({ [IDENTITY_HEADER]: 'shop/cart green r9' }, 'x-cutover-color');
  assert.match(
    identityMismatch(other, want)!,
    /answered by shop\/cart green \(release r9\), not shop\/myapp green .*hosts overlap/,
  );
  const mine = servedBy(
    { [IDENTITY_HEADER]: 'shop/myapp green r2', 'x-cutover-color': 'green' },
    'x-cutover-color',
  );
  assert.equal(identityMismatch(mine, want), undefined);
  const stale = servedBy({ [IDENTITY_HEADER]: 'shop/myapp green r1' }, 'x-cutover-color');
  assert.match(identityMismatch(stale, want)!, /release r1, not release r2/);
  const legacy = servedBy({ 'x-cutover-color': 'green' }, 'x-cutover-color');
  assert.equal(identityMismatch(legacy, want), undefined);
  assert.match(identityMismatch(servedBy({}, 'x-cutover-color'), want)!, /no cutover route answered/);
});
