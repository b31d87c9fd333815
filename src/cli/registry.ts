// Every CLI command: its words, its one-line summary (the only copy; help and docs/cli.md read
// it here), and its module, loaded lazily so that `cutover --version` and `cutover status` start
// fast. To add a command: one entry here, and a module whose default export is a Command with
// described flags, args, examples and exit codes (src/cli/command.ts); then `npm run docs:cli`.
import type { Command } from './command.js';

export interface CommandEntry {
  path: string[];
  /** One line, lower case, no final period: what the command does. */
  summary: string;
  load: () => Promise<{ default: Command }>;
}

export const commands: CommandEntry[] = [
  {
    path: ['local', 'up'],
    summary: 'start the embedded local cluster (Kubernetes API, pods as processes, Istio ingress gateway)',
    load: () => import('./local/up.js'),
  },
  {
    path: ['local', 'down'],
    summary: 'stop the embedded local cluster (its objects stay in the state dir)',
    load: () => import('./local/down.js'),
  },
  {
    path: ['local', 'image', 'add'],
    summary: 'map a container image to a local directory and command',
    load: () => import('./local/image-add.js'),
  },
  {
    path: ['local', 'image', 'list'],
    summary: 'list the images the local cluster can run',
    load: () => import('./local/image-list.js'),
  },
  {
    path: ['local', 'status'],
    summary: 'show whether the local cluster runs, and its addresses',
    load: () => import('./local/status.js'),
  },
  {
    path: ['ci'],
    summary: 'write CI pipeline files (semaphore, github, gitlab) that release the app with cutover',
    load: () => import('./ci/generate.js'),
  },
  {
    path: ['ci', 'parse-tag'],
    summary: 'check a release tag (v1.2, v1.2-blue, v1.2-green) and print its version and color',
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
    path: ['check'],
    summary: 'show what deploy would do and every problem it would hit, writing nothing',
    load: () => import('./check/index.js'),
  },
  {
    path: ['test'],
    summary: 'run the smoke tests against the color under test and record the verdict',
    load: () => import('./test/index.js'),
  },
  {
    path: ['promote'],
    summary: 'send all traffic to the tested color and verify it through the gateway',
    load: () => import('./promote/index.js'),
  },
  {
    path: ['rollback'],
    summary: 'send all traffic back to the previous color and verify it',
    load: () => import('./rollback/index.js'),
  },
  {
    path: ['decommission'],
    summary: "remove the idle color: its routes, then the router's part for it, then its Deployment",
    load: () => import('./decommission/index.js'),
  },
  {
    path: ['delete'],
    summary: 'remove an app entirely: its routing, both colors, what cutover created, history, lock',
    load: () => import('./delete/index.js'),
  },
  {
    path: ['migrate'],
    summary: 'move the live routing to the objects cutover.yaml now names, make before break',
    load: () => import('./migrate/index.js'),
  },
  {
    path: ['release'],
    summary: 'deploy, test and promote a release in one go',
    load: () => import('./release/index.js'),
  },
  {
    path: ['status'],
    summary:
      'show the live color, the color under test, releases, readiness, routes, stray routing objects and the lock',
    load: () => import('./status/index.js'),
  },
  {
    path: ['history'],
    summary: 'list past deploys, tests, promotions, rollbacks and decommissions',
    load: () => import('./history/index.js'),
  },
  {
    path: ['lock', 'status'],
    summary: 'show who holds the release lock',
    load: () => import('./lock/status.js'),
  },
  {
    path: ['lock', 'release'],
    summary: 'release the lock held by another run (needs --force)',
    load: () => import('./lock/release.js'),
  },
  {
    path: ['dashboard'],
    summary: 'serve a live dashboard with promote, rollback and decommission buttons',
    load: () => import('./dashboard/index.js'),
  },
  {
    path: ['demo'],
    summary: 'run a whole blue-green cycle on the embedded local cluster under live traffic',
    load: () => import('./demo/index.js'),
  },
  {
    path: ['secrets', 'sync'],
    summary: "write a color's settings from CI variables into its Kubernetes Secret, never printing them",
    load: () => import('./secrets/sync.js'),
  },
];
