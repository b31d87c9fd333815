// Bad input exits 2 with the file, the field and the fix — and the API server sees no request:
// config, flags and manifests are all validated before cutover connects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../src/local/cluster.js';
import { REPO_ROOT, runCli } from './engine-harness.js';

let dir: string;
let cluster: LocalCluster;
let env: Record<string, string>;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutover-input-'));
  cluster = await startLocalCluster({ stateDir: join(dir, 'state'), database: false });
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    KUBECONFIG: cluster.kubeconfigPath,
    CI: 'true',
  };
  await mkdir(join(dir, 'seed'));
  await cp(join(REPO_ROOT, 'examples', 'seed-manifests'), join(dir, 'seed', 'manifests'), {
    recursive: true,
  });
});
after(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function badInput(
  name: string,
  config: string,
  args: string[],
  patterns: RegExp[],
  extraEnv: Record<string, string> = {},
) {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, config);
  const before = total(cluster.requestCounts());
  const run = await runCli([...args, '-f', file], { cwd: dir, env: { ...env, ...extraEnv } });
  assert.equal(run.code, 2, `${name}: ${run.stderr}`);
  for (const p of patterns) assert.match(run.stderr, p, name);
  assert.match(run.stderr, /fix: /, name);
  assert.equal(run.stdout, '');
  assert.equal(total(cluster.requestCounts()) - before, 0, `${name}: the API server saw a request`);
}

test('malformed cutover.yaml: file, line and fix; no request', async () => {
  await badInput(
    'broken',
    'app: myapp\n  replicas: [1\n',
    ['deploy', '--image', 'x:1'],
    [/broken\.yaml/, /not valid YAML \(line \d+/],
  );
});

test('a field of the wrong type: file and field', async () => {
  await badInput(
    'wrongtype',
    'app: myapp\nreplicas: many\n',
    ['deploy', '--image', 'x:1'],
    [/wrongtype\.yaml/, /replicas/],
  );
});

test('a built-in metric the router cannot report (router: service, no proxy): exit 2 before any request, with the fix', async () => {
  const config =
    'app: myapp\nrouter: service\nanalysis:\n  metrics:\n    - name: success-rate\n      min: 95\n';
  for (const args of [
    ['deploy', '--image', 'x:1'],
    ['check', '--image', 'x:1'],
    ['promote', '--dry-run'],
  ])
    await badInput('svc-builtin', config, args, [
      /svc-builtin\.yaml/,
      /svc-builtin\.yaml: analysis\.metrics\[0\]\.name: "success-rate" is a built-in metric .*router: service/,
      /fix: use a `query` metric/,
    ]);
});

test('bad flags: unknown color, no image', async () => {
  await badInput(
    'flags1',
    'app: myapp\n',
    ['deploy', '--image', 'x:1', '--color', 'purple'],
    [/--color purple/],
  );
  await badInput('flags2', 'app: myapp\n', ['deploy'], [/deploy needs an image/]);
  await badInput('flags3', 'app: myapp\n', ['status', '-o', 'yaml'], [/--output yaml/]);
});

test('a release tag with no version, or a misspelled color, is bad input', async () => {
  await badInput(
    'tag1',
    'app: myapp\n',
    ['deploy', '--image', 'x:1', '--tag', 'latest'],
    [/"latest" names no version/],
  );
  await badInput(
    'tag2',
    'app: myapp\n',
    ['deploy', '--image', 'x:1', '--tag', 'v1.2-gren'],
    [/misspelled color/],
  );
});

test("the seed's manifests with unset variables: every one of them listed, no request", async () => {
  const config = `app: myapp\nmanifests: seed/manifests\n`;
  await badInput(
    'seed-unset',
    config,
    ['deploy'],
    [/DB_PASSWORD/, /DB_HOST/, /DOCKER_USERNAME/, /deployment\.yml/],
  );
});

test('a manifest that is not valid YAML names its file', async () => {
  await mkdir(join(dir, 'badman'));
  await writeFile(
    join(dir, 'badman', 'deployment.yml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: [\n',
  );
  await badInput('badman', 'app: myapp\nmanifests: badman\n', ['deploy'], [/deployment\.yml/]);
});

test('an unreachable cluster exits 5 with a remedy', async () => {
  const kubeconfig = join(dir, 'unreachable.kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: c, cluster: { server: "http://127.0.0.1:9", insecure-skip-tls-verify: true } }]',
      'users: [{ name: u, user: { token: t } }]',
      'contexts: [{ name: x, context: { cluster: c, user: u, namespace: default } }]',
      'current-context: x',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'ok.yaml'), 'app: myapp\n');
  const run = await runCli(['status', '-f', join(dir, 'ok.yaml'), '--kubeconfig', kubeconfig], {
    cwd: dir,
    env,
  });
  assert.equal(run.code, 5, run.stderr);
  assert.match(run.stderr, /127\.0\.0\.1:9/);
  assert.match(run.stderr, /fix: /);
});

test("an image that cannot be pulled fails the deploy (exit 1) with the pods' reason", async () => {
  await writeFile(join(dir, 'pull.yaml'), 'app: pullapp\nnamespace: default\nrolloutTimeoutSeconds: 4\n');
  const run = await runCli(['deploy', '--image', 'nowhere/none:1', '-f', join(dir, 'pull.yaml')], {
    cwd: dir,
    env,
  });
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /Deployment default\/pullapp-blue: 0\/1 replicas ready .*(ErrImagePull|ImagePullBackOff)/,
  );
  assert.match(run.stderr, /fix: .*live traffic was not touched/);
});

test("a color's Secret that does not exist is bad input: exit 2, nothing written", async () => {
  await writeFile(
    join(dir, 'secret.yaml'),
    'app: secretapp\nnamespace: default\nsecrets:\n  blue: env-blue\n  green: env-green\n',
  );
  const writes = () =>
    Object.entries(cluster.requestCounts())
      .filter(([k]) => /^(POST|PUT|PATCH|DELETE) /.test(k))
      .reduce((a, [, v]) => a + v, 0);
  const before = writes();
  const run = await runCli(['deploy', '--image', 'demo/x:1', '-f', join(dir, 'secret.yaml')], {
    cwd: dir,
    env,
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /secrets\.blue: Secret default\/env-blue does not exist/);
  assert.match(run.stderr, /fix: create it first, e\.g\. `cutover secrets sync --color blue`/);
  // The lock's own lease is the only write.
  assert.ok(writes() - before <= 2, `writes: ${writes() - before}`);
});
