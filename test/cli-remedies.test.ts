// A fix text that names a flag or a cutover.yaml field that does not exist is worse than none.
// Walks every `remedy:` text in src/ and checks each `--flag` it names against the flags of the
// registry's commands, and each camelCase word against the field names of the config schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { commands } from '../src/cli/registry.js';
import { CONFIG_SCHEMA } from '../src/config/schema.js';
import { REPO_ROOT } from './engine-harness.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The string literals (quoted or template) that follow `remedy:` up to the end of the expression. */
function remedies(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/remedy:\s*/g)) {
    let rest = text.slice(m.index + m[0].length);
    const end = rest.search(/,\s*\n\s*(?:\w+:|\})|\n\s*\}/);
    rest = end >= 0 ? rest.slice(0, end) : rest.slice(0, 400);
    for (const lit of rest.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`/gs))
      found.push((lit[1] ?? lit[2] ?? lit[3]).replace(/\$\{[^}]*\}/g, ' '));
  }
  return found;
}

function schemaFields(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => schemaFields(n, into));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties') Object.keys(value as object).forEach((k) => into.add(k));
      schemaFields(value, into);
    }
  }
  return into;
}

// Flags of tools a fix may tell the user to run, not cutover's.
const OTHER_TOOLS = /\b(kubectl|npm|node|git|docker)\b[^`]*$/;

test('every flag and config field a remedy names exists', async () => {
  const flags = new Set(['help']);
  for (const entry of commands)
    for (const name of Object.keys((await entry.load()).default.flags)) flags.add(name);
  const fields = schemaFields(CONFIG_SCHEMA);
  const problems: string[] = [];
  let checked = 0;
  for (const file of sourceFiles(join(REPO_ROOT, 'src'))) {
    for (const remedy of remedies(readFileSync(file, 'utf8'))) {
      const where = relative(REPO_ROOT, file);
      for (const m of remedy.matchAll(/(?<![\w-])--([a-z][\w-]*)/g)) {
        if (OTHER_TOOLS.test(remedy.slice(0, m.index))) continue;
        checked++;
        if (!flags.has(m[1])) problems.push(`${where}: remedy names --${m[1]}: "${remedy}"`);
      }
      for (const m of remedy.matchAll(/(?<![\w.$-])([a-z]+(?:[A-Z][a-z]*)+)(?![\w(])/g)) {
        checked++;
        if (!fields.has(m[1])) problems.push(`${where}: remedy names field ${m[1]}: "${remedy}"`);
      }
    }
  }
  assert.ok(checked > 20, `only ${checked} names found: the remedy scan is broken`);
  assert.deepEqual(problems, []);
});
