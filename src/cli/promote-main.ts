// `cutover promote` on its own start-up path (src/cli/own-path.ts,
// docs/adr/0023-promote-on-its-own-path.md).
import command from './promote/index.js';
import { ownPathMain } from './own-path.js';

export const main = ownPathMain(command);
