// A smoke-test step that found failures is marked failed (✖), lists each failure with its
// reason, and shows the last lines of a failing command's and exec's output; the verdict
// `failed` is still recorded and the run exits 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startLocalCluster, type LocalCluster } from '../../src/local/cluster.js';
import { DEMO_APP, runCli } from '../engine-harness.js';

let dir: string;
let cluster: LocalCluster;
let env: Record<string, string>;
let config: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutover-checks-'));
  cluster = await startLocalCluster({ stateDir: join(dir, 'state'), database: false, propagationDelayMs: 0 });
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    KUBECONFIG: cluster.kubeconfigPath,
    CI: 'true',
  };
  cluster.images.add('demo/ok:1', {
    dir: DEMO_APP,
    env: {},
    command: [
      'node',
      '-e',
      "require('http').createServer((q, s) => s.end('{}')).listen(3000, process.env.POD_IP)",
    ],
  });
  config = join(dir, 'cutover.yaml');
  await writeFile(
    config,
    stringify({
      app: 'checked',
      namespace: 'default',
      rolloutTimeoutSeconds: 60,
      smokeTests: [
        { name: 'ready', http: { path: '/ready' } },
        {
          name: 'script',
          command: 'echo "GET $CUTOVER_TEST_URL/orders"; echo "expected 200, got 503" >&2; exit 7',
        },
        {
          name: 'ping',
          exec: {
            command: [
              'sh',
              '-c',
              'echo pinging the database; echo "ECONNREFUSED 127.0.0.1:5432" >&2; exit 2',
            ],
          },
        },
      ],
    }),
  );
  const deployed = await runCli(['deploy', '--image', 'demo/ok:1', '-f', config], { cwd: dir, env });
  assert.equal(deployed.code, 0, deployed.stderr);
});
after(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('failing smoke tests: step marked failed, each failure with its reason and output tail, exit 1', async () => {
  const run = await runCli(['test', '-f', config], { cwd: dir, env });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /✖ test: smoke tests against blue — 1\/3 passed; failed: script, ping \(\d+ ms\)/);
  assert.doesNotMatch(run.stderr, /✔ test: smoke tests/);
  assert.match(run.stderr, /✔ test: record the verdict/);
  assert.match(
    run.stderr,
    /warning: FAILED: script: `echo .*`: exit 7\n {4}\| GET http:\/\/\S+\/orders\n {4}\| expected 200, got 503\n/,
  );
  assert.match(
    run.stderr,
    /error: release \S+ on blue failed 2 of 3 smoke test\(s\):\n {2}✖ script: .*exit 7\n {4}\| GET .*\n {4}\| expected 200, got 503\n {2}✖ ping: sh -c .* in pod checked-blue-\S+: exit 2\n {4}\| pinging the database\n {4}\| ECONNREFUSED 127\.0\.0\.1:5432\n/,
  );
  const json = await runCli(['status', '-f', config, '-o', 'json'], { cwd: dir, env });
  assert.match(json.stdout, /"result": "failed"/);
});
