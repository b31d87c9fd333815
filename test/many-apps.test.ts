// Two apps in one namespace behind one Gateway, under continuous plain traffic.
// - Overlapping hosts: the second app's deploy is refused (exit 2) and no object changed
//   (every resourceVersion in the namespace compared before and after).
// - Distinct hosts: both apps release, promote, roll back and decommission at the same time,
//   each verified against its own pods (the identity header), with zero failed plain requests
//   and no plain request on a color under test before its promotion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config/index.js';
import { connect } from '../src/kube/index.js';
import { createContext, type EngineContext } from '../src/engine/context.js';
import { defaultDeps } from '../src/engine/default-deps.js';
import { silentLog } from '../src/engine/deps.js';
import { deploy } from '../src/engine/deploy.js';
import { test as smokeTest } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';
import { rollback } from '../src/engine/rollback.js';
import { decommission } from '../src/engine/decommission.js';
import { release } from '../src/engine/release.js';
import { parseIdentity } from '../src/routers/identity.js';
import { DEMO_APP, demoConfig, runCli, startHarness, waitFor, type Harness } from './engine-harness.js';

let h: Harness;
const HOSTS = { myapp: 'myapp.example.com', cart: 'cart.example.com' } as const;
type App = keyof typeof HOSTS;

function appConfig(app: App, hosts: string[]): Record<string, unknown> {
  return demoConfig(h, {
    app,
    gateway: { name: 'shared', create: false, hosts },
    smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
    hooks: {},
  });
}

async function writeAppConfig(name: string, config: Record<string, unknown>): Promise<string> {
  const file = join(h.dir, `${name}.yaml`);
  await writeFile(file, stringify(config));
  return file;
}

async function contextFor(file: string): Promise<EngineContext> {
  const config = loadConfig(file, { env: h.env });
  const kube = connect({ kubeconfig: h.cluster.kubeconfigPath, env: h.env });
  return createContext({ config, kube, deps: defaultDeps(silentLog, h.env) });
}

before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  for (const v of ['v1', 'v2'])
    h.cluster.images.add(`demo/cart:${v}`, {
      dir: DEMO_APP,
      env: { APP_VERSION: `cart-${v}` },
      command: ['node', '--import', 'tsx', 'src/app.ts'],
    });
  // The platform's shared Gateway: every host, managed outside cutover (gateway.create: false).
  await h.kube.create({
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'shared', namespace: 'default' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    },
  });
  const myapp = await writeAppConfig('myapp', appConfig('myapp', [HOSTS.myapp]));
  await release(await contextFor(myapp), { image: 'demo/myapp:v1', release: 'm1' });
});
after(async () => {
  await h?.stop();
});

/** Every object of the namespace with its resourceVersion. */
async function versions(): Promise<Record<string, string>> {
  const kinds = [
    ['networking.istio.io/v1', 'VirtualService'],
    ['networking.istio.io/v1', 'DestinationRule'],
    ['networking.istio.io/v1', 'Gateway'],
    ['v1', 'Service'],
    ['v1', 'ConfigMap'],
    ['v1', 'Secret'],
    ['apps/v1', 'Deployment'],
    ['coordination.k8s.io/v1', 'Lease'],
  ] as const;
  const out: Record<string, string> = {};
  for (const [apiVersion, kind] of kinds)
    for (const o of (await h.kube.list(apiVersion, kind, 'default')).items)
      out[`${kind}/${o.metadata.name}`] = o.metadata.resourceVersion ?? '';
  return out;
}

test("overlapping hosts: the second app's deploy is refused with exit 2 and nothing changes", async () => {
  const file = await writeAppConfig('cart-overlap', appConfig('cart', [HOSTS.myapp]));
  const before = await versions();
  const run = await runCli(['deploy', '--image', 'demo/cart:v1', '-f', file], { cwd: h.dir, env: h.env });
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /gateway\.hosts: VirtualService default\/myapp also routes host "myapp\.example\.com" on Gateway default\/shared/,
  );
  assert.match(run.stderr, /fix: give each app its own host/);
  assert.deepEqual(await versions(), before, 'no object of the namespace changed');
});

interface Sample {
  at: number;
  host: string;
  status: number;
  servedBy?: string;
}

/** Plain requests (no test cookie) for each host, one loop per host, until stopped. */
function plainTraffic(url: string, hosts: string[]) {
  const samples: Sample[] = [];
  let running = true;
  const one = (host: string) =>
    new Promise<void>((resolve) => {
      const at = Date.now();
      const req = request(`${url}/ready`, { headers: { host }, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          samples.push({
            at,
            host,
            status: res.statusCode ?? 0,
            servedBy: res.headers['x-cutover-served-by'] as string,
          });
          resolve();
        });
      });
      req.on('error', () => (samples.push({ at, host, status: 0 }), resolve()));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  const loops = hosts.map(async (host) => {
    while (running) {
      await one(host);
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  return {
    samples,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

test('distinct hosts: both apps release, promote, roll back and decommission concurrently', async (t) => {
  const cartFile = await writeAppConfig('cart', appConfig('cart', [HOSTS.cart]));
  const myappFile = join(h.dir, 'myapp.yaml');
  await release(await contextFor(cartFile), { image: 'demo/cart:v1', release: 'c1' });
  const gw = await gatewayBase();
  const traffic = plainTraffic(gw, [HOSTS.myapp, HOSTS.cart]);
  await waitFor('plain answers for both hosts', async () =>
    traffic.samples.filter((s) => s.status === 200).length > 10 ? true : undefined,
  );
  const promotedAt: Record<string, number> = {};
  async function cycle(app: App, file: string, image: string, r2: string): Promise<void> {
    const d = await deploy(await contextFor(file), { image, release: r2 });
    const t = await smokeTest(await contextFor(file), { release: r2 });
    assert.equal(t.passed, true, `${app}: ${JSON.stringify(t.checks)}`);
    promotedAt[r2] = Date.now();
    const p = await promote(await contextFor(file), { release: r2 });
    assert.equal(p.color, d.color);
    const rb = await rollback(await contextFor(file), { release: r2 });
    assert.notEqual(rb.color, d.color);
    const retired = await waitFor(
      `${app}: drain window`,
      async () => {
        try {
          return await decommission(await contextFor(file), { release: app === 'myapp' ? 'm1' : 'c1' });
        } catch (err) {
          if (/drain window|still sends plain traffic/.test((err as Error).message)) return undefined;
          throw err;
        }
      },
      60_000,
    );
    assert.equal(retired.color, d.color, `${app}: the rolled-back color is retired`);
    const gone = await h.kube.getOptional({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: `${app}-${d.color}`,
      namespace: 'default',
    });
    assert.equal(gone, undefined, `${app}: Deployment ${app}-${d.color} deleted`);
  }
  try {
    await Promise.all([
      cycle('myapp', myappFile, 'demo/myapp:v2', 'm2'),
      cycle('cart', cartFile, 'demo/cart:v2', 'c2'),
    ]);
  } finally {
    await traffic.stop();
  }
  const failed = traffic.samples.filter((s) => s.status !== 200);
  assert.deepEqual(failed, [], 'no plain request failed');
  for (const s of traffic.samples) {
    const id = parseIdentity(s.servedBy);
    assert.ok(id, `every answer names who served: ${JSON.stringify(s)}`);
    const app = s.host === HOSTS.myapp ? 'myapp' : 'cart';
    assert.equal(id.app, `default/${app}`, `${s.host} is answered by its own app`);
    if (id.release === 'm2' || id.release === 'c2')
      assert.ok(
        s.at >= promotedAt[id.release]!,
        `no plain request reached ${id.release} before its promotion`,
      );
  }
  t.diagnostic(`plain requests: ${traffic.samples.length}, failed: ${failed.length}`);
  const byApp = (app: App) => traffic.samples.filter((s) => s.host === HOSTS[app]).length;
  assert.ok(
    byApp('myapp') > 20 && byApp('cart') > 20,
    `traffic flowed: ${byApp('myapp')} / ${byApp('cart')}`,
  );
});

test('delete removes one app and never touches the other app or objects cutover did not create', async () => {
  const file = join(h.dir, 'cart.yaml');
  const ref = (kind: string, name: string, apiVersion = 'networking.istio.io/v1') => ({
    apiVersion,
    kind,
    name,
    namespace: 'default',
  });
  const refused = await runCli(['delete', '-f', file], { cwd: h.dir, env: h.env });
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /plain traffic still reaches default\/cart/);
  assert.match(refused.stderr, /fix: .*--force/);
  // A DestinationRule the user owns (no managed-by label) is kept.
  await h.kube.mergePatch(ref('DestinationRule', 'cart'), {
    metadata: { labels: { 'app.kubernetes.io/managed-by': null } },
  });
  const others = Object.entries(await versions()).filter(
    ([k]) => !/\/cart/.test(k) && !k.startsWith('Lease/'),
  );
  const done = await runCli(['delete', '--force', '-f', file], { cwd: h.dir, env: h.env });
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stdout, /kept \(not created by cutover\): DestinationRule default\/cart/);
  for (const [kind, name, v] of [
    ['VirtualService', 'cart'],
    ['Deployment', 'cart-blue', 'apps/v1'],
    ['Deployment', 'cart-green', 'apps/v1'],
    ['Service', 'cart', 'v1'],
    ['ConfigMap', 'cart-cutover-history', 'v1'],
    ['Lease', 'cart-cutover-lock', 'coordination.k8s.io/v1'],
  ] as const)
    assert.equal(await h.kube.getOptional(ref(kind, name, v)), undefined, `${kind} ${name} deleted`);
  assert.ok(
    await h.kube.getOptional(ref('DestinationRule', 'cart')),
    'the user-owned DestinationRule is kept',
  );
  assert.ok(
    await h.kube.getOptional(ref('Gateway', 'shared')),
    'the shared Gateway (not cutover-created) is kept',
  );
  const after = await versions();
  for (const [k, v] of others) assert.equal(after[k], v, `${k} untouched`);
});

async function gatewayBase(): Promise<string> {
  const svc = await h.kube.get({
    apiVersion: 'v1',
    kind: 'Service',
    name: 'istio-ingressgateway',
    namespace: 'istio-system',
  });
  const ip = (svc.status as { loadBalancer: { ingress: Array<{ ip: string }> } }).loadBalancer.ingress[0]!.ip;
  const port = (svc.spec as { ports: Array<{ name: string; port: number }> }).ports.find(
    (p) => p.name === 'http2',
  )!.port;
  return `http://${ip}:${port}`;
}
