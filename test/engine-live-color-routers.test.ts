// The live color is what the data plane says, for every kind of routing object — not only the
// VirtualServices (test/engine-live-color.test.ts). One local cluster: release r1 is live on blue
// through cutover's own VirtualService, green is idle; then another team's objects send users to
// the green pods — an HTTPRoute, then a Service whose selector picks green. `cutover deploy` (and
// its dry run), which would put r2 on green, refuses with exit 3, names the object and the fix,
// and writes nothing, not even the lock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startHarness, type Harness, resourceVersions } from './engine-harness.js';
import { release } from '../src/engine/release.js';

let h: Harness;
before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
});
after(async () => {
  await h?.stop();
});

const ROUTE_API = 'gateway.networking.k8s.io/v1';
const OBJECTS = [
  ['networking.istio.io/v1', 'VirtualService', 'myapp'],
  ['v1', 'Service', 'myapp'],
  ['v1', 'Service', 'legacy-green'],
  [ROUTE_API, 'HTTPRoute', 'legacy'],
  ['apps/v1', 'Deployment', 'myapp-blue'],
  ['apps/v1', 'Deployment', 'myapp-green'],
  ['coordination.k8s.io/v1', 'Lease', 'myapp-cutover-lock'],
  ['v1', 'ConfigMap', 'myapp-cutover-history'],
] as const;

const versions = () => resourceVersions(h, OBJECTS);

/** deploy --dry-run and deploy of r2 (into green, the idle color) are refused, and write nothing. */
async function refusedNaming(through: RegExp): Promise<void> {
  const before = await versions();
  for (const extra of [['--dry-run'], []]) {
    const run = await runCli(
      ['deploy', ...extra, '--image', 'demo/myapp:v2', '--release', 'r2', '-f', h.configPath],
      { cwd: h.dir, env: h.env },
    );
    assert.equal(run.code, 3, `deploy ${extra.join(' ')}: ${run.stderr}`);
    assert.match(
      run.stderr,
      /Deployment default\/myapp-green: plain traffic reaches the green pods through /,
    );
    assert.match(run.stderr, through);
    assert.match(run.stderr, /fix: .*move plain traffic off green first/);
    assert.equal(run.stdout, '');
    assert.deepEqual(await versions(), before, 'nothing was written, not even the lock');
  }
}

test('an HTTPRoute that sends plain traffic to the green pods refuses a deploy into green', async () => {
  await h.kube.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'legacy-green', namespace: 'default' },
    spec: { selector: { app: 'myapp', color: 'green' }, ports: [{ name: 'http', port: 3000 }] },
  });
  await h.kube.create({
    apiVersion: ROUTE_API,
    kind: 'HTTPRoute',
    metadata: { name: 'legacy', namespace: 'default' },
    spec: {
      parentRefs: [{ name: 'shared-gateway' }],
      rules: [
        {
          matches: [{ headers: [{ name: 'x-beta', value: 'yes' }] }],
          backendRefs: [{ name: 'myapp', port: 3000 }],
        },
        { backendRefs: [{ name: 'legacy-green', port: 3000 }] },
      ],
    },
  });
  // The ClusterIP Service is reached through the route: the route is named, not the Service.
  await refusedNaming(/through HTTPRoute default\/legacy \(rules\[1\] → Service legacy-green\)\. Refusing/);
});

test('a Service whose selector picks the green pods refuses a deploy into green; a preview Service does not', async () => {
  await h.kube.delete({ apiVersion: ROUTE_API, kind: 'HTTPRoute', name: 'legacy', namespace: 'default' });
  await refusedNaming(
    /through Service default\/legacy-green \(selector app=myapp,color=green, type ClusterIP\)\. Refusing/,
  );
  // Labelled as carrying testers only (what cutover's own preview Service carries): no refusal.
  await h.kube.mergePatch(
    { apiVersion: 'v1', kind: 'Service', name: 'legacy-green', namespace: 'default' },
    { metadata: { labels: { 'cutover.dev/serves': 'testers' } } },
  );
  const run = await runCli(
    ['deploy', '--dry-run', '--image', 'demo/myapp:v2', '--release', 'r2', '-f', h.configPath],
    { cwd: h.dir, env: h.env },
  );
  assert.equal(run.code, 0, run.stderr);
});
