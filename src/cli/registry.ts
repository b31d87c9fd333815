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
  {
    path: ['local', 'down'],
    summary: 'stop the embedded local cluster',
    load: () => import('./local/down.js'),
  },
  {
    path: ['local', 'image', 'add'],
    summary: 'map a container image to a local command',
    load: () => import('./local/image-add.js'),
  },
  {
    path: ['local', 'image', 'list'],
    summary: 'list the images the local cluster can run',
    load: () => import('./local/image-list.js'),
  },
  {
    path: ['local', 'status'],
    summary: 'show whether the local cluster runs',
    load: () => import('./local/status.js'),
  },
  {
    path: ['ci'],
    summary: 'write CI pipeline files (semaphore|github|gitlab) that release the app',
    load: () => import('./ci/generate.js'),
  },
  {
    path: ['ci', 'parse-tag'],
    summary: 'check a release tag and print its version and color',
    load: () => import('./ci/parse-tag.js'),
  },
  {
    path: ['init'],
    summary: 'write a commented starter cutover.yaml',
    load: () => import('./init/index.js'),
  },
  {
    path: ['deploy'],
    summary: 'deploy a release to the idle color and route testers to it',
    load: () => import('./deploy/index.js'),
  },
  {
    path: ['test'],
    summary: 'run smoke tests against the color under test, record the verdict',
    load: () => import('./test/index.js'),
  },
  {
    path: ['promote'],
    summary: 'send all traffic to the tested color, verified',
    load: () => import('./promote/index.js'),
  },
  {
    path: ['rollback'],
    summary: 'send all traffic back to the previous color, verified',
    load: () => import('./rollback/index.js'),
  },
  {
    path: ['decommission'],
    summary: 'remove the idle color after the drain window',
    load: () => import('./decommission/index.js'),
  },
  {
    path: ['release'],
    summary: 'deploy, test and promote in one go',
    load: () => import('./release/index.js'),
  },
  {
    path: ['status'],
    summary: 'show colors, releases, readiness, routes and the lock',
    load: () => import('./status/index.js'),
  },
  { path: ['history'], summary: 'list past release operations', load: () => import('./history/index.js') },
  {
    path: ['lock', 'status'],
    summary: 'show who holds the release lock',
    load: () => import('./lock/status.js'),
  },
  {
    path: ['lock', 'release'],
    summary: 'release a lock whose holder is gone (--force)',
    load: () => import('./lock/release.js'),
  },
  {
    path: ['demo'],
    summary: 'run a whole blue-green cycle on the local cluster under live traffic',
    load: () => import('./demo/index.js'),
  },
  {
    path: ['secrets', 'sync'],
    summary: "write a color's settings from CI variables into its Secret",
    load: () => import('./secrets/sync.js'),
  },
];
