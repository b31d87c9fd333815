// The live display in a real terminal (tmux): the running step is one line redrawn in place with
// its elapsed time, finished steps stay, the result does not print the steps a second time, colors
// appear on a terminal and NO_COLOR removes them, and `status --watch` redraws in place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startLocalCluster, type LocalCluster } from '../../src/local/cluster.js';
import { DEMO_APP, waitFor } from '../engine-harness.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const SOCKET = `cutover-test-${process.pid}`;
let dir: string;
let cluster: LocalCluster;

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });

/** Runs `cutover ARGS` in a new tmux window of a 140×40 terminal; the pane stays after it ends. */
async function inTerminal(name: string, args: string[], env: Record<string, string>): Promise<void> {
  const script = join(dir, `${name}.sh`);
  const code = `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(process.argv.slice(1));`;
  const exports = Object.entries({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TERM: 'xterm-256color',
    KUBECONFIG: cluster.kubeconfigPath,
    ...env,
  })
    .map(([k, v]) => `export ${k}=${JSON.stringify(v)}`)
    .join('\n');
  const argv = args.map((a) => JSON.stringify(a)).join(' ');
  await writeFile(
    script,
    `${exports}\nunset CI\ncd ${JSON.stringify(dir)}\nnode --import ${JSON.stringify(TSX)} --input-type=module -e ${JSON.stringify(code).replace(/\$/g, '\\$')} -- ${argv}\necho "EXIT=$?"\nsleep 600\n`,
  );
  tmux('new-session', '-d', '-x', '140', '-y', '40', '-s', name, `bash ${script}`);
}

const screen = (name: string, escapes = false) =>
  tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutover-tty-'));
  cluster = await startLocalCluster({ stateDir: join(dir, 'state'), database: false, propagationDelayMs: 0 });
  // Ready only after 4 s, so the wait step is on screen long enough to watch it move.
  cluster.images.add('demo/slow:1', {
    dir: DEMO_APP,
    env: {},
    command: [
      'node',
      '-e',
      "setTimeout(() => require('http').createServer((q, s) => s.end('{}')).listen(3000, process.env.POD_IP), 4000)",
    ],
  });
  await writeFile(
    join(dir, 'cutover.yaml'),
    stringify({ app: 'tty', namespace: 'default', rolloutTimeoutSeconds: 90 }),
  );
});
after(async () => {
  try {
    tmux('kill-server');
  } catch {
    // No session was started.
  }
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('deploy on a terminal: one live line per running step, finished steps stay, colors, no second copy', async () => {
  await inTerminal('deploy', ['deploy', '--image', 'demo/slow:1'], {});
  const waiting = /deploy: wait for every blue replica.*\((\d+\.\d) s\)/;
  const first = await waitFor(
    'the wait step on screen',
    async () => waiting.exec(screen('deploy'))?.[1],
    60_000,
  );
  const later = await waitFor(
    'the elapsed time to move',
    async () => {
      const m = waiting.exec(screen('deploy'))?.[1];
      return m && m !== first ? m : undefined;
    },
    20_000,
  );
  assert.notEqual(later, first);
  const during = screen('deploy');
  assert.equal(during.split('\n').filter((l) => l.includes('wait for every blue replica')).length, 1, during);
  const done = await waitFor(
    'deploy to end',
    async () => (/EXIT=(\d+)/.test(screen('deploy')) ? screen('deploy') : undefined),
    90_000,
  );
  assert.match(done, /EXIT=0/);
  assert.equal(done.split('\n').filter((l) => l.includes('wait for every blue replica')).length, 1, done);
  assert.match(done, /✔ deploy: wait for every blue replica — 1\/1 ready/);
  assert.match(done, /deployed release \S+ to blue/);
  assert.doesNotMatch(done, /\d{4}-\d\d-\d\dT/, 'no CI timestamps on a terminal');
  assert.ok(screen('deploy', true).includes('\x1b[32m✔'), 'green marks on a color terminal');
});

test('status --watch redraws in place; NO_COLOR leaves the marks and drops the colors', async () => {
  await inTerminal('watch', ['status', '--watch'], { NO_COLOR: '1' });
  const footer = /updated (\d\d:\d\d:\d\d) UTC/;
  const first = await waitFor('a first status', async () => footer.exec(screen('watch'))?.[1], 60_000);
  await waitFor(
    'a redraw',
    async () => {
      const now = footer.exec(screen('watch'))?.[1];
      return now && now !== first ? now : undefined;
    },
    20_000,
  );
  const shown = screen('watch');
  assert.equal(
    shown.split('\n').filter((l) => l.startsWith('app tty in namespace default')).length,
    1,
    shown,
  );
  assert.equal(shown.split('\n').filter((l) => footer.test(l)).length, 1, shown);
  assert.ok(!/\[3\dm/.test(screen('watch', true).replaceAll('\x1b', '')), 'NO_COLOR: no colors');
  // A second deploy (to green) with NO_COLOR: the same marks, no color codes.
  await inTerminal('plain', ['deploy', '--image', 'demo/slow:1'], { NO_COLOR: '1' });
  const plain = await waitFor(
    'the NO_COLOR deploy to end',
    async () => (/EXIT=\d+/.test(screen('plain')) ? screen('plain', true) : undefined),
    90_000,
  );
  assert.match(plain, /EXIT=0/);
  assert.match(plain, /✔ deploy: wait for every (blue|green) replica/);
  assert.ok(!plain.includes('\x1b[32m'), 'NO_COLOR: no colors');
  tmux('send-keys', '-t', 'watch', 'C-c');
  await waitFor(
    'status --watch to stop on Ctrl-C',
    async () => (/EXIT=0/.test(screen('watch')) ? true : undefined),
    20_000,
  );
});
