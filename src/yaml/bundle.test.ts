import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as upstream from 'yaml';
import { bundleText, installedYamlVersion } from './write-bundle.js';
import { isMap, parse, parseAllDocuments, parseDocument } from './index.js';

test('the bundle was made from the installed yaml version', () => {
  const text = readFileSync(new URL('./bundle.generated.ts', import.meta.url), 'utf8');
  const made = /from yaml@(\S+) /.exec(text)?.[1];
  assert.equal(made, installedYamlVersion(), 'run `node --import tsx src/yaml/write-bundle.ts`');
});

test('the bundle is what write-bundle.ts makes now (not edited by hand)', async () => {
  const text = readFileSync(new URL('./bundle.generated.ts', import.meta.url), 'utf8');
  assert.ok(text === (await bundleText()), 'run `node --import tsx src/yaml/write-bundle.ts`');
});

test('the bundle parses as the installed yaml does, errors included', () => {
  const text = 'a: 1\nb: [x, {c: "d"}]\nt: 2026-01-01\nn: ~\n';
  assert.deepEqual(parse(text), upstream.parse(text));
  const bad = 'a: 1\na: 2\n';
  const ours = parseDocument(bad, { prettyErrors: true, uniqueKeys: true });
  const theirs = upstream.parseDocument(bad, { prettyErrors: true, uniqueKeys: true });
  assert.deepEqual(
    ours.errors.map((e) => [e.code, e.message]),
    theirs.errors.map((e) => [e.code, e.message]),
  );
  assert.equal(ours.errors.length, 1);
  const docs = parseAllDocuments('a: 1\n---\nb: 2\n');
  assert.ok(Array.isArray(docs) && docs.length === 2);
  assert.ok(isMap(upstream.parseDocument('x: 1').contents), 'nodes of either copy are recognised');
});
