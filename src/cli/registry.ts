// Every CLI command, loaded lazily so that `cutover --version` and `cutover status` start fast.
// Add one line per command; the module's default export is a Command.
import type { Command } from './command.js';

export interface CommandEntry {
  path: string[];
  summary: string;
  load: () => Promise<{ default: Command }>;
}

export const commands: CommandEntry[] = [
  { path: ['local', 'up'], summary: 'start the embedded local cluster', load: () => import('./local/up.js') },
  { path: ['local', 'down'], summary: 'stop the embedded local cluster', load: () => import('./local/down.js') },
  { path: ['local', 'image', 'add'], summary: 'map a container image to a local command', load: () => import('./local/image-add.js') },
  { path: ['local', 'image', 'list'], summary: 'list the images the local cluster can run', load: () => import('./local/image-list.js') },
  { path: ['local', 'status'], summary: 'show whether the local cluster runs', load: () => import('./local/status.js') },
  { path: ['ci'], summary: 'write CI pipeline files (semaphore|github|gitlab) that release the app', load: () => import('./ci/generate.js') },
  { path: ['ci', 'parse-tag'], summary: 'check a release tag and print its version and color', load: () => import('./ci/parse-tag.js') },
];
