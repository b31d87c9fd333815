// A deploy whose pods cannot start fails at once with the reason and the fix, not after the
// rollout timeout: an image the cluster cannot pull, a container that crashes at start (with its
// last log lines), a missing Secret key (naming the Secret and the key). A readiness probe that
// never passes is not certain to stay failing, so it waits out the (short) timeout, but then names
// the probe and its last failure. One local cluster, four apps deployed side by side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connect } from '../../src/kube/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/local/cluster.js';
import { startRecordingProxy } from '../helpers/recording-proxy.js';
import { DEMO_APP, REPO_ROOT, runCli, type CliRun } from '../engine-harness.js';

const LONG_TIMEOUT_S = 600;
let dir: string;
let cluster: LocalCluster;
let env: Record<string, string>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutover-failfast-'));
  cluster = await startLocalCluster({ stateDir: join(dir, 'state'), database: false });
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    KUBECONFIG: cluster.kubeconfigPath,
    CI: 'true',
  };
  const node = (script: string) => ({ dir: DEMO_APP, env: {}, command: ['node', '-e', script] });
  cluster.images.add(
    'demo/crash:1',
    node(
      "console.log('connecting to the database'); console.error('fatal: DB_HOST is not set'); process.exit(3)",
    ),
  );
  cluster.images.add(
    'demo/unready:1',
    node(
      "require('http').createServer((q, s) => { s.statusCode = 503; s.end('warming up'); }).listen(3000, process.env.POD_IP)",
    ),
  );
  cluster.images.add(
    'demo/ok:1',
    node("require('http').createServer((q, s) => s.end('{}')).listen(3000, process.env.POD_IP)"),
  );
  cluster.images.add('demo/myapp:wf1', {
    dir: DEMO_APP,
    env: {},
    command: ['node', '--import', 'tsx', 'src/app.ts'],
  });
});
after(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function deploy(app: string, config: Record<string, unknown>, args: string[], extraEnv = {}) {
  const file = join(dir, `${app}.yaml`);
  await writeFile(file, stringify({ app, namespace: 'default', ...config }));
  const started = Date.now();
  const run = await runCli(['deploy', '-f', file, ...args], { cwd: dir, env: { ...env, ...extraEnv } });
  return { ...run, seconds: (Date.now() - started) / 1000 };
}

function ended(run: CliRun & { seconds: number }, name: string) {
  assert.equal(run.code, 1, `${name}: ${run.stderr}`);
  // A small fraction of the rollout timeout, with room for a loaded machine.
  assert.ok(run.seconds < LONG_TIMEOUT_S / 8, `${name} took ${run.seconds} s`);
}

async function seedWithPasswordKey(): Promise<string> {
  const manifests = join(dir, 'manifests');
  await cp(join(REPO_ROOT, 'examples', 'seed-manifests'), manifests, { recursive: true });
  const file = join(manifests, 'deployment.yml');
  const text = await readFile(file, 'utf8');
  const keyed = text.replace(
    /- name: DB_PASSWORD\n\s+value: "\$DB_PASSWORD"/,
    '- name: DB_PASSWORD\n            valueFrom:\n              secretKeyRef: { name: db, key: password }',
  );
  assert.notEqual(keyed, text, 'the seed deployment changed: adjust this test');
  await writeFile(file, keyed);
  const kube = connect({ kubeconfig: cluster.kubeconfigPath, env });
  await kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'default' },
    stringData: { user: 'postgres' },
  });
  kube.close();
  return 'manifests';
}

test('image pull, crash loop and missing Secret key fail deploy early with the fix; a bad probe is named', async () => {
  const long = { rolloutTimeoutSeconds: LONG_TIMEOUT_S, lockTimeoutSeconds: 5 };
  const manifests = await seedWithPasswordKey();
  const [pull, crash, key, probe] = await Promise.all([
    deploy('pull', long, ['--image', 'demo/nope:1']),
    deploy('crash', long, ['--image', 'demo/crash:1']),
    deploy('myapp', { ...long, manifests }, [], {
      DOCKER_USERNAME: 'demo',
      SEMAPHORE_WORKFLOW_ID: 'wf1',
      DB_HOST: '127.0.0.1',
      DB_PORT: '5432',
      DB_SCHEMA: 's',
      DB_USER: 'u',
    }),
    deploy('unready', { rolloutTimeoutSeconds: 8 }, ['--image', 'demo/unready:1']),
  ]);

  ended(pull, 'unpullable image');
  assert.match(pull.stderr, /warning: pod pull-blue-\S+ container pull: (ErrImagePull|ImagePullBackOff)/);
  assert.match(
    pull.stderr,
    /error: Deployment default\/pull-blue: 0\/1 replicas ready and they cannot start: .*(ErrImagePull|ImagePullBackOff) \(3×\)/,
  );
  assert.match(
    pull.stderr,
    /fix: on the local cluster, map the image to a command: `cutover local image add demo\/nope:1 --dir DIR -- COMMAND`/,
  );

  ended(crash, 'crash loop');
  assert.match(crash.stderr, /container crash: (CrashLoopBackOff|Error) \(\d×\) — exited with code 3/);
  assert.match(
    crash.stderr,
    /last log lines of crash-blue-\S+\/crash:\n {2}\| connecting to the database\n {2}\| fatal: DB_HOST is not set/,
  );
  assert.match(crash.stderr, /fix: the container exits soon after it starts/);

  ended(key, 'missing Secret key');
  assert.match(
    key.stderr,
    /CreateContainerConfigError \(\d×\) — couldn't find key password in Secret default\/db/,
  );
  assert.match(key.stderr, /fix: add the key password to Secret default\/db/);

  assert.equal(probe.code, 1, probe.stderr);
  assert.match(
    probe.stderr,
    /warning: pod unready-blue-\S+ container unready: Unhealthy (\(\d+×\) )?— Readiness probe failed: HTTP probe failed with statuscode: 503/,
  );
  assert.match(
    probe.stderr,
    /0\/1 replicas ready after 8 s; .*\(readiness probe: httpGet \/ready on port 3000, every \d+ s\)/,
  );
  assert.match(probe.stderr, /fix: the readiness probe never passed/);

  // Afterwards `cutover status` says why the color is not ready, in the kubelet's words.
  const shown = await runCli(['status', '-f', join(dir, 'pull.yaml')], { cwd: dir, env });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /blue .*0\/1 ready/);
  assert.match(shown.stdout, /^ +pull-blue-\S+\/pull: (ErrImagePull|ImagePullBackOff) — .*demo\/nope:1/m);
});

test('a watch that hangs without closing delays the rollout wait by a few seconds at most', async () => {
  const proxy = await startRecordingProxy(cluster.kubeconfigPath, join(dir, 'hung-kubeconfig'), {
    hang: /\/deployments\?.*watch=(true|1)/,
  });
  try {
    const run = await deploy('hung', { rolloutTimeoutSeconds: LONG_TIMEOUT_S }, ['--image', 'demo/ok:1'], {
      KUBECONFIG: proxy.kubeconfigPath,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      proxy.requests.some((r) => /\/deployments\?.*watch=(true|1)/.test(r.path)),
      'the Deployment was never watched: this test proves nothing',
    );
    const waited = /✔ deploy: wait for every blue replica — .* \((\d+) ms\)/.exec(run.stderr);
    assert.ok(waited, run.stderr);
    assert.ok(Number(waited[1]) < 15_000, `the replica wait took ${waited[1]} ms behind a hung watch`);
  } finally {
    await proxy.close();
  }
});
