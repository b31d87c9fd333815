import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageRef } from './image-ref.js';

test('references a kubelet pulls are accepted', () => {
  for (const ok of [
    'nginx',
    'demo/myapp:v1',
    'docker.io/me/my-app:1.2.3',
    'localhost:5000/a/b_c__d:latest',
    'ghcr.io/org/app@sha256:' + 'a'.repeat(64),
    'registry.example.com:443/x/y:v2.0-green',
  ]) {
    assert.equal(typeof parseImageRef(ok), 'object', ok);
  }
  assert.deepEqual(parseImageRef('localhost:5000/a:1'), {
    domain: 'localhost:5000',
    path: 'a',
    tag: '1',
    digest: undefined,
  });
});

test('references no registry accepts name the part that is wrong', () => {
  assert.match(parseImageRef('Demo/MyApp:v1') as string, /"MyApp" is not a valid repository name/);
  assert.match(parseImageRef('demo/myapp:-v1') as string, /tag "-v1"/);
  assert.match(parseImageRef('demo/myapp@sha256:xyz') as string, /digest/);
  assert.match(parseImageRef('demo//myapp') as string, /"" is not a valid/);
  assert.match(parseImageRef(' demo') as string, /spaces/);
  assert.match(parseImageRef('a@b@c') as string, /more than one/);
});
