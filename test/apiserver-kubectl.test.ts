// Smoke test of the API server with the real kubectl at three versions: the calls every later
// test relies on (get, apply create + update, watch, delete) with no errors or warnings.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';

// Replies are checked field by field, so they are typed loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const run = promisify(execFile);
const KUBECTL_DIR = dirname(realpathSync(whichKubectl()));
const VERSIONS = ['1.27', '1.30', '1.33'];

function whichKubectl(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (existsSync(join(dir, 'kubectl'))) return realpathSync(join(dir, 'kubectl'));
  }
  throw new Error('kubectl is not on PATH');
}

let server: TestApiServer;
before(async () => {
  server = await startTestApiServer();
});
after(() => server.close());

function kubectl(version: string, args: string[]) {
  const bin = join(KUBECTL_DIR, `kubectl.${version}`);
  // A cache dir per server: kubectl caches discovery per host:port for hours.
  return run(
    bin,
    ['--kubeconfig', server.kubeconfigPath, '--cache-dir', join(server.dir, `cache-${version}`), ...args],
    { timeout: 60_000 },
  );
}

function manifest(name: string, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 8080}]
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: ${name}}
spec:
  hosts: ["*"]
  gateways: [${name}-gateway]
  http:
  - route:
    - destination: {host: ${name}, subset: blue}
`;
}

for (const version of VERSIONS) {
  test(`kubectl ${version}: get ns, apply twice, get -o json, watch a change, delete`, async () => {
    const ns = await kubectl(version, ['get', 'ns']);
    assert.match(ns.stdout, /^NAME\s+STATUS\s+AGE\n/);
    assert.match(ns.stdout, /\ndefault\s+Active\s+/);
    assert.equal(ns.stderr, '');

    const name = `web${version.replace('.', '')}`;
    const file = join(server.dir, `${name}.yaml`);
    await writeFile(file, manifest(name, 'demo:1'));
    const created = await kubectl(version, ['apply', '-f', file]);
    assert.equal(
      created.stdout,
      `deployment.apps/${name} created\nvirtualservice.networking.istio.io/${name} created\n`,
    );
    assert.equal(created.stderr, '');
    await writeFile(file, manifest(name, 'demo:2'));
    const updated = await kubectl(version, ['apply', '-f', file]);
    assert.equal(
      updated.stdout,
      `deployment.apps/${name} configured\nvirtualservice.networking.istio.io/${name} unchanged\n`,
    );
    assert.equal(updated.stderr, '');

    const json = JSON.parse((await kubectl(version, ['get', 'deployment', name, '-o', 'json'])).stdout) as {
      metadata: { generation: number };
      spec: {
        template: { spec: { containers: Array<{ image: string; ports: Array<{ containerPort: number }> }> } };
      };
    };
    assert.equal(json.metadata.generation, 2);
    assert.equal(json.spec.template.spec.containers[0]!.image, 'demo:2');
    // Strategic merge by container name keeps the ports the patch does not mention.
    assert.equal(json.spec.template.spec.containers[0]!.ports[0]!.containerPort, 8080);

    await watchSeesLabel(version, name);

    const deleted = await kubectl(version, ['delete', '-f', file]);
    assert.equal(deleted.stderr, '');
    assert.match(deleted.stdout, new RegExp(`deployment.apps "${name}" deleted`));
    const gone = await kubectl(version, ['get', 'deployment', name]).catch((err: { stderr: string }) => err);
    assert.match((gone as { stderr: string }).stderr, new RegExp(`deployments.apps "${name}" not found`));
  });
}

// `kubectl get -w` must print the change made while it watches.
async function watchSeesLabel(version: string, name: string): Promise<void> {
  const bin = join(KUBECTL_DIR, `kubectl.${version}`);
  const args = [
    '--kubeconfig',
    server.kubeconfigPath,
    '--cache-dir',
    join(server.dir, `cache-${version}`),
    'get',
    'deployment',
    name,
    '-w',
    '-o',
    'jsonpath={.metadata.labels.step}{"\\n"}',
  ];
  const child = spawn(bin, args);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await until(() => out.length > 0, 'the initial line');
    await kubectl(version, ['label', 'deployment', name, 'step=two']);
    await until(() => out.includes('two'), 'the watched change');
  } finally {
    child.kill();
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// kubectl ≥ 1.32 sends protobuf bodies from its typed `create` commands.
test('kubectl 1.33 imperative creates (protobuf bodies) store what JSON would have', async () => {
  const commands = [
    ['create', 'namespace', 'imperative'],
    ['-n', 'imperative', 'create', 'secret', 'generic', 'env-blue', '--from-literal=DB_PASSWORD=s3cret'],
    [
      '-n',
      'imperative',
      'create',
      'secret',
      'docker-registry',
      'dockerhub',
      '--docker-username=u',
      '--docker-password=p',
    ],
    ['-n', 'imperative', 'create', 'configmap', 'settings', '--from-literal=color=blue'],
    ['-n', 'imperative', 'create', 'deployment', 'web', '--image=demo:1', '--port=3000', '--replicas=2'],
    ['-n', 'imperative', 'create', 'service', 'clusterip', 'web', '--tcp=80:3000'],
  ];
  for (const args of commands) {
    const { stderr } = await kubectl('1.33', args);
    assert.equal(stderr, '', args.join(' '));
  }
  const get = async (path: string) =>
    (await (await fetch(`${server.api.url}${path}`)).json()) as Record<string, Json>;
  const secret = await get('/api/v1/namespaces/imperative/secrets/env-blue');
  assert.deepEqual(
    [secret.type, Buffer.from(secret.data.DB_PASSWORD, 'base64').toString()],
    ['Opaque', 's3cret'],
  );
  assert.equal(secret.metadata.generateName, undefined);
  assert.equal(
    (await get('/api/v1/namespaces/imperative/secrets/dockerhub')).type,
    'kubernetes.io/dockerconfigjson',
  );
  assert.deepEqual((await get('/api/v1/namespaces/imperative/configmaps/settings')).data, { color: 'blue' });
  const deployment = await get('/apis/apps/v1/namespaces/imperative/deployments/web');
  assert.equal(deployment.spec.replicas, 2);
  assert.deepEqual(deployment.spec.selector, { matchLabels: { app: 'web' } });
  assert.deepEqual(deployment.spec.template.spec.containers[0].ports, [
    { containerPort: 3000, protocol: 'TCP' },
  ]);
  const service = await get('/api/v1/namespaces/imperative/services/web');
  assert.deepEqual(service.spec.ports, [{ name: '80-3000', port: 80, protocol: 'TCP', targetPort: 3000 }]);
});
