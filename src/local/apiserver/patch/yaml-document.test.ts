import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_NESTING_DEPTH, YamlDocumentError, parseYamlDocument } from './yaml-document.js';

describe('parseYamlDocument', () => {
  it('reads YAML and JSON', () => {
    assert.deepEqual(parseYamlDocument('a: 1\nb: [x, y]\n'), { a: 1, b: ['x', 'y'] });
    assert.deepEqual(parseYamlDocument('{"a":{"b":[1,2]}}'), { a: { b: [1, 2] } });
    assert.deepEqual(parseYamlDocument('x: &v {k: 1}\ny: *v\n'), { x: { k: 1 }, y: { k: 1 } });
  });
  it('reads deeply nested JSON with the JSON parser', () => {
    const deep = '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    assert.ok(parseYamlDocument(deep));
  });
  it('refuses deep flow nesting that is not JSON, and self-referencing aliases', () => {
    const deep = 'a: ' + '['.repeat(MAX_NESTING_DEPTH + 1) + ']'.repeat(MAX_NESTING_DEPTH + 1) + ' # comment';
    assert.throws(() => parseYamlDocument(deep), YamlDocumentError);
    assert.throws(() => parseYamlDocument('a: &x [*x]'), YamlDocumentError);
    assert.throws(() => parseYamlDocument('a: [b'), YamlDocumentError);
  });
  it('does not count brackets inside quoted strings', () => {
    const text = `a: "${'['.repeat(500)}"\nb: '${'{'.repeat(500)}'\n`;
    assert.deepEqual(parseYamlDocument(text), { a: '['.repeat(500), b: '{'.repeat(500) });
  });
});
