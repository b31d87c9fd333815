// `cutover rollback` on its own start-up path (src/cli/own-path.ts, docs/adr/0016-fast-rollback.md).
import command from './rollback/index.js';
import { ownPathMain } from './own-path.js';

export const main = ownPathMain(command);
