// No secret value anywhere: values planted in a per-color Secret, in secret-looking env (in
// cutover.yaml and in the CI environment), in the userinfo of a gateway URL, in a kubeconfig
// token and in a local image's --env are never printed — by successful or failing commands, on
// stdout or stderr, as text or JSON — nor recorded in the history ConfigMap, events or annotations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { connect } from '../../src/kube/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/local/cluster.js';
import { DEMO_APP, runCli, type CliRun } from '../engine-harness.js';

const PLANTED = {
  secret: 'PLANTED-secret-blue-7f3a',
  envToken: 'PLANTED-env-token-91c2',
  ciKey: 'PLANTED-proc-key-3b71',
  synced: 'PLANTED-sync-pw-0a9e',
  urlPassword: 'PLANTED-url-pw-44d1',
  kubeToken: 'PLANTED-kube-token-5e6b',
  imageEnv: 'PLANTED-image-env-8c2d',
};
let dir: string;
let cluster: LocalCluster;
let env: Record<string, string>;
const runs: Array<{ args: string[]; run: CliRun }> = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutover-secrets-'));
  cluster = await startLocalCluster({ stateDir: join(dir, 'state'), database: false, propagationDelayMs: 0 });
  const kubeconfig = parse(await readFile(cluster.kubeconfigPath, 'utf8')) as {
    users: Array<{ user: Record<string, unknown> }>;
  };
  kubeconfig.users[0]!.user.token = PLANTED.kubeToken;
  await writeFile(join(dir, 'kubeconfig'), stringify(kubeconfig));
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    KUBECONFIG: join(dir, 'kubeconfig'),
    CI: 'true',
    MY_API_KEY: PLANTED.ciKey,
    CUTOVER_ENV_GREEN_DB_PASSWORD: PLANTED.synced,
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
  const kube = connect({ kubeconfig: cluster.kubeconfigPath, env });
  await kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'env-blue', namespace: 'default' },
    stringData: { DB_PASSWORD: PLANTED.secret },
  });
  kube.close();
  const base = { namespace: 'default', rolloutTimeoutSeconds: 60, verifyTimeoutSeconds: 5 };
  await writeFile(
    join(dir, 'cutover.yaml'),
    stringify({
      ...base,
      app: 'vault',
      gateway: { hosts: ['vault.example.com'] },
      secrets: { blue: 'env-blue', green: 'env-green' },
      env: { API_TOKEN: PLANTED.envToken, NODE_ENV: 'production' },
      smokeTests: [
        { name: 'pod env', exec: { command: ['sh', '-c', 'env | grep -E "TOKEN|PASSWORD|KEY"; exit 1'] } },
        {
          name: 'local env',
          command:
            'env | grep -E "TOKEN|PASSWORD|KEY"; echo "DB_PASSWORD=$CUTOVER_ENV_GREEN_DB_PASSWORD"; exit 3',
        },
      ],
    }),
  );
  await writeFile(
    join(dir, 'badgw.yaml'),
    stringify({
      ...base,
      app: 'vault2',
      gateway: { hosts: ['vault2.example.com'] },
      gatewayUrl: `http://ops:${PLANTED.urlPassword}@127.0.0.1:1`,
    }),
  );
});
after(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function cutover(expected: number, ...args: string[]): Promise<CliRun> {
  const run = await runCli(args, { cwd: dir, env });
  runs.push({ args, run });
  assert.equal(run.code, expected, `cutover ${args.join(' ')}: ${run.stderr}`);
  return run;
}

function leaks(text: string): string[] {
  return Object.entries(PLANTED)
    .filter(([, v]) => text.includes(v) || text.includes(Buffer.from(v).toString('base64')))
    .map(([k]) => k);
}

test('planted secrets appear in no output, history, event or annotation', async () => {
  const state = ['--state-dir', join(dir, 'state')];
  await cutover(0, 'secrets', 'sync', '--color', 'green');
  await cutover(0, 'deploy', '--image', 'demo/ok:1');
  const failed = await cutover(1, 'test');
  // The failing checks' output is shown (that is the point), with the values hidden.
  assert.match(failed.stderr, /\| API_TOKEN=\(hidden\)/);
  assert.match(failed.stderr, /\| DB_PASSWORD=\(hidden\)/);
  assert.match(failed.stderr, /\| MY_API_KEY=\(hidden\)/);
  await cutover(0, 'status');
  await cutover(0, 'status', '-o', 'json');
  await cutover(0, 'history');
  await cutover(0, 'history', '-o', 'json');
  await cutover(0, 'lock', 'status', '-o', 'json');
  await cutover(3, 'promote');
  await cutover(3, 'promote', '-o', 'json');
  await cutover(0, 'deploy', '--image', 'demo/ok:1', '--dry-run', '-o', 'json');
  const badGateway = await cutover(1, 'deploy', '--image', 'demo/ok:1', '-f', 'badgw.yaml');
  assert.match(badGateway.stderr, /http:\/\/\(hidden\)@127\.0\.0\.1:1/);
  await cutover(2, 'deploy', '--image', 'demo/ok:1', '--color', PLANTED.ciKey);
  await cutover(
    0,
    'local',
    'image',
    'add',
    'demo/withenv:1',
    '--dir',
    DEMO_APP,
    '--env',
    `DB_PASSWORD=${PLANTED.imageEnv}`,
    ...state,
  );
  await cutover(0, 'local', 'image', 'list', '-o', 'json', ...state);
  await cutover(0, 'local', 'image', 'list', ...state);

  for (const { args, run } of runs) {
    assert.deepEqual(leaks(run.stdout), [], `stdout of cutover ${args.join(' ')}:\n${run.stdout}`);
    assert.deepEqual(leaks(run.stderr), [], `stderr of cutover ${args.join(' ')}:\n${run.stderr}`);
  }
  const kube = connect({ kubeconfig: cluster.kubeconfigPath, env });
  try {
    const history = await kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'vault-cutover-history',
      namespace: 'default',
    });
    assert.match(JSON.stringify(history.data), /pod env/, 'the failed test is in the history');
    assert.deepEqual(leaks(JSON.stringify(history)), [], 'history ConfigMap');
    const events = await kube.list('v1', 'Event', 'default');
    assert.deepEqual(leaks(JSON.stringify(events.items)), [], 'events');
    for (const [apiVersion, kind] of [
      ['apps/v1', 'Deployment'],
      ['v1', 'Service'],
      ['v1', 'ConfigMap'],
      ['coordination.k8s.io/v1', 'Lease'],
      ['networking.istio.io/v1beta1', 'VirtualService'],
      ['networking.istio.io/v1beta1', 'DestinationRule'],
    ] as const) {
      const list = await kube.list(apiVersion, kind, 'default');
      const annotations = list.items.map((o) => o.metadata.annotations ?? {});
      assert.deepEqual(leaks(JSON.stringify(annotations)), [], `annotations of ${kind}s`);
    }
  } finally {
    kube.close();
  }
});
