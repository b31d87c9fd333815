// Regenerates the command reference of docs/cli.md from the registry (src/cli/help.ts).
// `npm run docs:cli`; test/cli-help.test.ts fails when the committed doc differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCliDoc } from '../src/cli/help.js';

const file = join(import.meta.dirname, '..', 'docs', 'cli.md');
writeFileSync(file, await renderCliDoc(readFileSync(file, 'utf8')));
process.stdout.write(`wrote ${file}\n`);
