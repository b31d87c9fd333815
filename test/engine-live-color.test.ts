// The live color is what the data plane says. A release is live on blue from cutover's built-in
// objects; cutover.yaml then switches to the seed's manifests folder, whose VirtualService has
// another name. cutover's own (new) names say "nothing is live", but the old VirtualService still
// sends every user to the blue pods: deploy — and its dry run — refuse with exit 3, name that
// object and the fix, and write nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, runCli, startHarness, type Harness } from './engine-harness.js';
import { release } from '../src/engine/release.js';

let h: Harness;
before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await cp(join(REPO_ROOT, 'examples', 'seed-manifests'), join(h.dir, 'manifests'), { recursive: true });
  await h.writeConfig({ app: 'myapp', namespace: 'default', manifests: 'manifests', drainSeconds: 0 });
});
after(async () => {
  await h?.stop();
});

const OBJECTS = [
  ['networking.istio.io/v1', 'VirtualService', 'myapp'],
  ['networking.istio.io/v1', 'VirtualService', 'myapp-blue-green'],
  ['networking.istio.io/v1', 'DestinationRule', 'myapp'],
  ['networking.istio.io/v1', 'DestinationRule', 'myapp-blue-green'],
  ['v1', 'Service', 'myapp'],
  ['apps/v1', 'Deployment', 'myapp-blue'],
  ['apps/v1', 'Deployment', 'myapp-green'],
  ['coordination.k8s.io/v1', 'Lease', 'myapp-cutover-lock'],
  ['v1', 'ConfigMap', 'myapp-cutover-history'],
] as const;

async function versions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [apiVersion, kind, name] of OBJECTS) {
    const o = await h.kube.getOptional({ apiVersion, kind, name, namespace: 'default' });
    out[`${kind}/${name}`] =
      `${o?.metadata.resourceVersion ?? 'absent'} gen ${o?.metadata.generation ?? '-'}`;
  }
  return out;
}

test('switching cutover.yaml to manifests with another VirtualService name cannot overwrite the live color', async () => {
  const env = {
    ...h.env,
    DOCKER_USERNAME: 'demo',
    SEMAPHORE_WORKFLOW_ID: 'v2',
    DB_HOST: h.cluster.database!.host,
    DB_PORT: String(h.cluster.database!.port),
    DB_SCHEMA: 'postgres',
    DB_USER: 'postgres',
    DB_PASSWORD: 'pw-not-printed',
  };
  const before = await versions();
  for (const extra of [['--dry-run'], []]) {
    const run = await runCli(['deploy', ...extra, '-f', h.configPath], { cwd: h.dir, env });
    assert.equal(run.code, 3, `deploy ${extra.join(' ')}: ${run.stderr}`);
    assert.match(
      run.stderr,
      /Deployment default\/myapp-blue: plain traffic reaches the blue pods through VirtualService default\/myapp \(route "[^"]+" → Service myapp, subset blue\)/,
    );
    assert.match(run.stderr, /fix: .*name VirtualService myapp again \(adopt/);
    assert.match(run.stderr, /--color green/);
    assert.equal(run.stdout, '');
    assert.deepEqual(await versions(), before, 'nothing was written, not even the lock');
  }
  // Users are still served by blue v1.
  const res = await fetch(`${h.cluster.gatewayUrl}/ready`);
  await res.arrayBuffer();
  assert.equal(`${res.headers.get('x-cutover-color')} ${res.headers.get('x-app-version')}`, 'blue v1');
});
