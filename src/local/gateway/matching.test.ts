// Pure pieces of the gateway: host semantics, StringMatch, paths, durations, header operations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDurationMs } from './durations.js';
import { applyParser, compileHeaderOps } from './header-ops.js';
import { DomainIndex, hostSubsetOf, hostWithoutPort, intersectHosts } from './hosts.js';
import { normalizePath, splitTarget } from './paths.js';
import { compileStringPredicate, parseStringMatch } from './string-match.js';

describe('hosts', () => {
  it('follows Istio SubsetOf and Intersection', () => {
    assert.equal(hostSubsetOf('dev.example.com', '*.example.com'), true);
    assert.equal(hostSubsetOf('example.com', '*.example.com'), false);
    assert.equal(hostSubsetOf('newexample.com', '*.example.com'), false);
    assert.equal(hostSubsetOf('*.a.example.com', '*.example.com'), true);
    assert.deepEqual(intersectHosts(['*'], ['shop.example.com']), ['shop.example.com']);
    assert.deepEqual(intersectHosts(['*.example.com'], ['*']), ['*.example.com']);
    assert.deepEqual(intersectHosts(['foo.com', '*.net'], ['*.com', 'bar.net']), ['foo.com', 'bar.net']);
    assert.deepEqual(intersectHosts(['foo.com'], ['bar.com']), []);
  });

  it('looks up virtual hosts like Envoy: exact, longest suffix, prefix, then *', () => {
    const idx = new DomainIndex<string>();
    for (const d of ['*', '*.example.com', '*.shop.example.com', 'api.example.com', 'internal.*'])
      idx.add(d, d);
    idx.seal();
    assert.equal(idx.lookup('api.example.com'), 'api.example.com');
    assert.equal(idx.lookup('a.shop.example.com'), '*.shop.example.com');
    assert.equal(idx.lookup('x.example.com'), '*.example.com');
    assert.equal(idx.lookup('example.com'), '*');
    assert.equal(idx.lookup('internal.corp'), 'internal.*');
  });

  it('strips the port and lower-cases the host', () => {
    assert.equal(hostWithoutPort('Shop.Example.com:8080'), 'shop.example.com');
    assert.equal(hostWithoutPort('[::1]:80'), '[::1]');
    assert.equal(hostWithoutPort('[::1]'), '[::1]');
  });
});

describe('StringMatch', () => {
  const p = (raw: unknown, ignoreCase = false) => compileStringPredicate(parseStringMatch(raw), ignoreCase);
  it('uses RE2 full-match for regex', () => {
    assert.equal(p({ regex: '\\d+$' })('123'), true);
    assert.equal(p({ regex: '\\d+$' })('a123'), false, "the proto's own example");
    assert.equal(p({ regex: '(?i)^aaa$' })('AAA'), true);
    assert.throws(() => p({ regex: '(?=x)' }), /invalid|unsupported/i);
  });
  it('treats {} and regex "*" as presence, and honours ignoreCase for exact and prefix', () => {
    assert.deepEqual(parseStringMatch({}), { kind: 'present' });
    assert.deepEqual(parseStringMatch({ regex: '*' }), { kind: 'present' });
    assert.equal(p({ prefix: '/Foo' }, true)('/fOObar'), true);
    assert.equal(p({ exact: '/Foo' }, true)('/FOO'), true);
    assert.equal(p({ exact: '/Foo' })('/FOO'), false);
  });
});

describe('paths and durations', () => {
  it('removes dot segments and keeps the query', () => {
    assert.equal(normalizePath('/a/./b/../c?x=/..'), '/a/c?x=/..');
    assert.equal(normalizePath('/../../x'), '/x');
    assert.equal(normalizePath('/a/b/..'), '/a/');
    assert.deepEqual(splitTarget('http://h.example:81/p?q', 'ignored'), {
      path: '/p?q',
      authority: 'h.example:81',
    });
    assert.equal(splitTarget('*', 'h'), undefined);
  });
  it('parses Istio durations', () => {
    assert.equal(parseDurationMs('10s'), 10_000);
    assert.equal(parseDurationMs('0.5s'), 500);
    assert.equal(parseDurationMs('1m30s'), 90_000);
    assert.equal(parseDurationMs('250ms'), 250);
    assert.equal(parseDurationMs('10'), undefined);
  });
});

describe('header operations', () => {
  it('removes first, then sets (overwrite) and adds (append), sorted by key; host rewrites the authority', () => {
    const ops = compileHeaderOps({
      request: {
        set: { 'x-b': '2', 'x-a': '1', host: 'internal' },
        add: { 'x-c': 'new' },
        remove: ['x-gone', 'x-a'],
      },
    })!;
    assert.equal(ops.authority, 'internal');
    const headers = ['Host', 'h', 'X-A', 'old', 'x-gone', '1', 'x-c', 'first'];
    applyParser(headers, ops.request);
    assert.deepEqual(headers, ['Host', 'h', 'x-c', 'first', 'x-a', '1', 'x-b', '2', 'x-c', 'new']);
  });
});
