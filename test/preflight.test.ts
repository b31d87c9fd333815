// The preflight finds every problem of a run before the first write and reports all of them at
// once: exit 2 for bad input (3 when only guards refuse), each naming the file or object, the
// field and the fix. A recording proxy between the CLI and the API server proves that nothing
// was written — not even the lock's Lease.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startLocalCluster, type LocalCluster } from '../src/local/cluster.js';
import { connect } from '../src/kube/index.js';
import type { KubeClient } from '../src/kube/types.js';
import { runCli, type CliRun } from './engine-harness.js';
import { startRecordingProxy, type RecordingProxy } from './helpers/recording-proxy.js';

let dir: string;
let cluster: LocalCluster;
let proxy: RecordingProxy;
let kube: KubeClient;
let env: Record<string, string>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutover-preflight-'));
  cluster = await startLocalCluster({ stateDir: join(dir, 'state'), database: false });
  proxy = await startRecordingProxy(cluster.kubeconfigPath, join(dir, 'kubeconfig-proxy.yaml'));
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    KUBECONFIG: proxy.kubeconfigPath,
    CI: 'true',
  };
  kube = connect({ kubeconfig: cluster.kubeconfigPath, env });
  // A live app whose default route points to blue: the guard case needs no pods.
  await kube.create({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'myapp', namespace: 'default' },
    spec: {
      hosts: ['*'],
      gateways: ['myapp-gateway'],
      http: [{ name: 'myapp-default', route: [{ destination: { host: 'myapp', subset: 'blue' } }] }],
    },
  });
});
after(async () => {
  kube?.close();
  await proxy?.close();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

const base = { app: 'myapp', namespace: 'default' };

async function run(name: string, config: Record<string, unknown>, args: string[]): Promise<CliRun> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, stringify(config));
  proxy.clear();
  const r = await runCli([...args, '-f', file], { cwd: dir, env });
  assert.deepEqual(proxy.writes(), [], `${name}: nothing may be written`);
  if (r.code !== 0) assert.equal(r.stdout, '', name);
  return r;
}

test('every bad input of one deploy is listed together, with file, field and fix', async () => {
  const r = await run(
    'many',
    {
      ...base,
      testMatch: { type: 'cookie', regex: '((' },
      smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready =='] } }],
    },
    ['deploy', '--image', 'Demo/MyApp:-v1'],
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /3 problems found before any write; nothing was applied/);
  assert.match(r.stderr, /many\.yaml: testMatch\.regex: `\(\(` is not a valid RE2 regex/);
  assert.match(
    r.stderr,
    /many\.yaml: smokeTests\[0\]\.http\.expect\[0\]: cannot read the expectation `\.ready ==`/,
  );
  assert.match(r.stderr, /--image: image `Demo\/MyApp:-v1`: tag "-v1" is not valid/);
  assert.equal(r.stderr.match(/ fix: \S/g)?.length, 3, r.stderr);
});

test('a missing color Secret is found before the first write', async () => {
  const r = await run('secret', { ...base, secrets: { green: 'env-green' } }, [
    'deploy',
    '--image',
    'demo/myapp:v2',
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /secret\.yaml: secrets\.green: Secret default\/env-green does not exist/);
  assert.match(r.stderr, /fix: create it first/);
  assert.ok(
    proxy.requests.some((q) => q.path.endsWith('/secrets/env-green')),
    'the CLI went through the proxy',
  );
});

test('a guard alone exits 3; with bad input as well, both are listed and the exit is 2', async () => {
  const guard = await run('guard', base, ['deploy', '--image', 'demo/myapp:v2', '--color', 'blue']);
  assert.equal(guard.code, 3, guard.stderr);
  assert.match(guard.stderr, /VirtualService default\/myapp: default route points to blue/);
  assert.match(guard.stderr, /\n {2}fix: Deploy to green, or promote first\./);
  const both = await run('both', { ...base, testMatch: { type: 'cookie', regex: 'a(?=b)' } }, [
    'deploy',
    '--image',
    'demo/myapp:v2',
    '--color',
    'blue',
  ]);
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /2 problems/);
  assert.match(both.stderr, /1\. .*testMatch\.regex/);
  assert.match(both.stderr, /2\. VirtualService default\/myapp: default route points to blue/);
});

test('promote, rollback, decommission and test refused by a guard write nothing, not even the lock', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['promote'], /no color is under test \(blue is live\)/],
    [['rollback'], /Deployment default\/myapp-green does not exist/],
    [['decommission', '--color', 'blue'], /default route points to blue, the color you are decommissioning/],
    [['test'], /no test route, so no color is under test/],
  ];
  for (const [args, pattern] of cases) {
    const r = await run(`guard-${args[0]}`, base, args);
    assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /\n {2}fix: \S/);
  }
});

test('--dry-run runs the same preflight; other operations check their input before the lock', async () => {
  const dry = await run('dry', { ...base, testMatch: { type: 'cookie', regex: '((' } }, [
    'deploy',
    '--image',
    'demo/myapp:v2',
    '--dry-run',
  ]);
  assert.equal(dry.code, 2, dry.stderr);
  assert.match(dry.stderr, /testMatch\.regex/);
  const t = await run(
    'test-expect',
    { ...base, smokeTests: [{ name: 'v', http: { path: '/', expect: ['.version == v2'] } }] },
    ['test'],
  );
  assert.equal(t.code, 2, t.stderr);
  assert.match(
    t.stderr,
    /smokeTests\[0\]\.http\.expect\[0\]: expectation `\.version == v2`: v2 is not a JSON value/,
  );
});

test('another VirtualService on the same Gateway and host: refused, naming it, the host and the fix', async () => {
  const cart = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'cart', namespace: 'default' },
    spec: {
      hosts: ['*'],
      gateways: ['default/myapp-gateway'],
      http: [{ name: 'cart-default', route: [{ destination: { host: 'cart', subset: 'blue' } }] }],
    },
  };
  await kube.create(cart);
  try {
    const r = await run('overlap', base, ['deploy', '--image', 'demo/myapp:v2']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /overlap\.yaml: gateway\.hosts: VirtualService default\/cart also routes host "\*" on Gateway default\/myapp-gateway/,
    );
    assert.match(r.stderr, /fix: give each app its own host on the gateway/);
    // Distinct hosts: no overlap.
    await kube.mergePatch(
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'cart', namespace: 'default' },
      { spec: { hosts: ['cart.example.com'] } },
    );
    const ok = await run('distinct', { ...base, gateway: { hosts: ['myapp.example.com'] } }, [
      'deploy',
      '--image',
      'demo/myapp:v2',
      '--dry-run',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.doesNotMatch(ok.stderr, /also routes host/);
  } finally {
    await kube.delete({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      name: 'cart',
      namespace: 'default',
    });
  }
});

test('a gateway that cannot be found is reported before the first write', async () => {
  await kube.delete({
    apiVersion: 'v1',
    kind: 'Service',
    name: 'istio-ingressgateway',
    namespace: 'istio-system',
  });
  const r = await run('nogw', base, ['deploy', '--image', 'demo/myapp:v2']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /gatewayUrl: cannot find .*istio-system\/istio-ingressgateway/);
  assert.match(r.stderr, /fix: set gatewayUrl in cutover\.yaml/);
});
