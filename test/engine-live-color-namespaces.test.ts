// The live-color guard sees routes in other namespaces that send users to this namespace's
// Services, on one local cluster: release r1 is live on blue (router: istio), and in namespace
// `edge` another team routes to the app —
// 1. an HTTPRoute whose backendRef names Service default/myapp (a ReferenceGrant allows it in a
//    real cluster; it counts either way): deploy into green is refused, exit 3, nothing written;
// 2. a VirtualService whose host is myapp.default.svc.cluster.local, narrowed to green by a
//    DestinationRule of its own namespace: the same;
// 3. credentials that may not list those kinds cluster-wide (403, through a proxy answering as
//    RBAC does): the guard looks at this namespace only and says plainly that other namespaces
//    were not checked — a deploy goes on (dry run), a refusal (a route of this namespace) says
//    it too;
// 4. `cutover status` lists each routing kind once, in the namespace (the recording proxy counts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoConfig, runCli, startHarness, type Harness } from './engine-harness.js';
import { startRecordingProxy, type ProxyOptions, type RecordingProxy } from './helpers/recording-proxy.js';
import { release } from '../src/engine/release.js';
import type { KubeObject } from '../src/kube/types.js';

let h: Harness;
let proxy: RecordingProxy;
const proxyOptions: ProxyOptions = {};
const CLUSTER_WIDE_ROUTES = /^\/apis\/[^/]+\/[^/]+\/(httproutes|virtualservices|destinationrules)(\?|$)/;

before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await h.writeConfig(
    demoConfig(h, {
      smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
      hooks: {},
    }),
  );
  await release(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await h.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge' } });
  proxy = await startRecordingProxy(h.cluster.kubeconfigPath, join(h.dir, 'proxy.kubeconfig'), proxyOptions);
});
after(async () => {
  await proxy?.close();
  await h?.stop();
});

const cli = (args: string[], kubeconfig?: string) =>
  runCli([...args, '-f', h.configPath], {
    cwd: h.dir,
    env: kubeconfig ? { ...h.env, KUBECONFIG: kubeconfig } : h.env,
  });
const green = () =>
  h.kube.getOptional({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'myapp-green',
    namespace: 'default',
  });
const inEdge = (apiVersion: string, kind: string, name: string, spec: unknown): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'edge' },
  spec,
});

test('an HTTPRoute in another namespace with a backendRef to this namespace’s Service: deploy refused, exit 3, nothing written', async () => {
  const route = inEdge('gateway.networking.k8s.io/v1', 'HTTPRoute', 'storefront', {
    parentRefs: [{ name: 'edge-gateway' }],
    rules: [{ backendRefs: [{ name: 'myapp', namespace: 'default', port: 3000 }] }],
  });
  await h.kube.create(route);
  const run = await cli(['deploy', '--image', 'demo/myapp:v2', '--release', 'r2']);
  assert.equal(run.code, 3, run.stderr);
  assert.match(
    run.stderr,
    /plain traffic reaches the green pods through HTTPRoute edge\/storefront \(rules\[0\] → Service default\/myapp\)/,
  );
  assert.equal(await green(), undefined, 'nothing was written');
  await h.kube.delete({
    apiVersion: route.apiVersion,
    kind: route.kind,
    name: 'storefront',
    namespace: 'edge',
  });
});

test('a VirtualService in another namespace whose host is this namespace’s Service FQDN: deploy refused, exit 3', async () => {
  await h.kube.create(
    inEdge('networking.istio.io/v1', 'DestinationRule', 'myapp-colors', {
      host: 'myapp.default.svc.cluster.local',
      subsets: [{ name: 'green', labels: { color: 'green' } }],
    }),
  );
  await h.kube.create(
    inEdge('networking.istio.io/v1', 'VirtualService', 'shop', {
      hosts: ['shop.example.com'],
      gateways: ['mesh'],
      http: [{ route: [{ destination: { host: 'myapp.default.svc.cluster.local', subset: 'green' } }] }],
    }),
  );
  const run = await cli(['deploy', '--image', 'demo/myapp:v2', '--release', 'r2', '--dry-run']);
  assert.equal(run.code, 3, run.stderr);
  assert.match(
    run.stderr,
    /through VirtualService edge\/shop \(http\[0\] → Service default\/myapp, subset green\)/,
  );
  assert.equal(await green(), undefined);
});

test('without RBAC to list routes in all namespaces: the guard says other namespaces were not checked, and does not fail for it', async () => {
  proxyOptions.forbid = CLUSTER_WIDE_ROUTES;
  try {
    // The VirtualService in edge is not seen: the deploy (a dry run here) goes on, and says so.
    const run = await cli(
      ['deploy', '--image', 'demo/myapp:v2', '--release', 'r2', '--dry-run'],
      proxy.kubeconfigPath,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /other namespaces were not checked for VirtualServices, DestinationRules, HTTPRoutes that route to namespace default \(listing them in all namespaces is forbidden to these credentials\)/,
    );
    assert.equal(
      (run.stderr.match(/other namespaces were not checked/g) ?? []).length,
      1,
      'said once, though preflight and the run both read',
    );
    // A refusal (a route in this namespace, which the guard does see) says it too.
    const own = {
      ...inEdge('gateway.networking.k8s.io/v1', 'HTTPRoute', 'hand-made', {
        parentRefs: [{ name: 'edge-gateway' }],
        rules: [{ backendRefs: [{ name: 'myapp', port: 3000 }] }],
      }),
      metadata: { name: 'hand-made', namespace: 'default' },
    };
    await h.kube.create(own);
    const refused = await cli(
      ['deploy', '--image', 'demo/myapp:v2', '--release', 'r2', '--dry-run'],
      proxy.kubeconfigPath,
    );
    await h.kube.delete({
      apiVersion: own.apiVersion,
      kind: own.kind,
      name: 'hand-made',
      namespace: 'default',
    });
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(
      refused.stderr,
      /through HTTPRoute default\/hand-made \(rules\[0\] → Service myapp\)\. Refusing to deploy into a color that serves users; nothing was written\. \(Also, other namespaces were not checked for/,
    );
  } finally {
    proxyOptions.forbid = undefined;
  }
});

test('status lists each routing kind once, in the app’s namespace (what it reports is the app’s own objects)', async () => {
  proxy.clear();
  const run = await cli(['status', '-o', 'json'], proxy.kubeconfigPath);
  assert.equal(run.code, 0, run.stderr);
  const lists = proxy.requests
    .filter(
      (r) =>
        r.method === 'GET' && /\/(services|virtualservices|destinationrules|httproutes)(\?|$)/.test(r.path),
    )
    .map((r) => r.path.replace(/\?.*/, ''))
    .sort();
  assert.deepEqual(lists, [
    '/api/v1/namespaces/default/services',
    '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes',
    '/apis/networking.istio.io/v1beta1/namespaces/default/destinationrules',
    '/apis/networking.istio.io/v1beta1/namespaces/default/virtualservices',
  ]);
});
