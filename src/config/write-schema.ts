// Writes schema/cutover.schema.json from the schema object (run after changing schema.ts):
//   node --import tsx src/config/write-schema.ts
import { writeFileSync } from 'node:fs';
import { CONFIG_SCHEMA } from './schema.js';

export function renderSchema(): string {
  return JSON.stringify(CONFIG_SCHEMA, null, 2) + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../../schema/cutover.schema.json', import.meta.url), renderSchema());
}
