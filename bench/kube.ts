// Cluster access layer: start-up cost of the modules a CLI command loads, and request cost of
// our raw-HTTP client versus @kubernetes/client-node's KubernetesObjectApi against the local
// API server (time per call and API requests the server saw).
//   npx tsc -p . ; node --import tsx bench/kube.ts
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createStore } from '../src/local/store/index.js';
import { startApiServer } from '../src/local/apiserver/index.js';
import { createKubeClient, loadKubeConfig, type KubeObject } from '../src/kube/index.js';
import { acquireLock } from '../src/lock/index.js';

const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall and CPU (user + sys) time of a fresh node process running `code`, median of RUNS. */
function startup(label: string, code: string): void {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(
      '/usr/bin/time',
      ['-f', '%e %U %S', process.execPath, '--input-type=module', '-e', code],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(r.stderr);
    const [e, u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    wall.push(e! * 1000);
    cpu.push((u! + s!) * 1000);
  }
  console.log(
    `  ${label.padEnd(52)} wall ${median(wall).toFixed(0).padStart(5)} ms   cpu ${median(cpu).toFixed(0).padStart(5)} ms`,
  );
}

function startupFigures(): void {
  console.log(`start-up of a fresh process (median of ${RUNS}; cpu = user + sys, robust to machine load):`);
  startup("node -e '0'", '0');
  startup("import('@kubernetes/client-node')", "await import('@kubernetes/client-node')");
  if (!existsSync('dist/src/kube/index.js')) return console.log('  (run `npx tsc -p .` to measure dist/)');
  startup('import dist/src/kube', "await import('./dist/src/kube/index.js')");
  startup(
    'import dist/src/{kube,lock,config,manifests}',
    "await Promise.all(['kube','lock','config','manifests'].map((m) => import('./dist/src/' + m + '/index.js')))",
  );
  startup(
    '  + validateConfig (generated ajv validator)',
    "const {validateConfig}=await import('./dist/src/config/index.js'); validateConfig({app:'myapp',smokeTests:[{http:{path:'/ready'}}]},'/x/cutover.yaml',{})",
  );
}

async function timeCalls(
  label: string,
  n: number,
  fn: (i: number) => Promise<unknown>,
  counts: () => number,
): Promise<void> {
  const before = counts();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const ms = (performance.now() - t0) / n;
  console.log(
    `  ${label.padEnd(44)} ${ms.toFixed(2)} ms/call, ${((counts() - before) / n).toFixed(1)} API requests/call`,
  );
}

async function requests(): Promise<void> {
  const store = await createStore();
  const api = await startApiServer({ store, port: 0 });
  const total = () => Object.values(api.requestCounts()).reduce((a, b) => a + b, 0);
  const kubeconfig = JSON.stringify({
    clusters: [{ name: 'c', cluster: { server: api.url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
    'current-context': 'x',
  });
  const ours = createKubeClient(loadKubeConfig({ kubeconfig: '/k', env: {}, readFile: () => kubeconfig }));
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfig);
  const objApi = k8s.KubernetesObjectApi.makeApiClient(kc);
  const vs: KubeObject = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'bench', namespace: 'default' },
    spec: { hosts: ['*'], http: [] },
  };
  await ours.create(vs);
  const ref = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    name: 'bench',
    namespace: 'default',
  };
  const N = 200;
  console.log(`requests against the local API server (${N} calls each):`);
  await timeCalls('ours: get VirtualService', N, () => ours.get(ref), total);
  await timeCalls(
    'client-node KubernetesObjectApi.read',
    N,
    () => objApi.read({ ...ref, metadata: { name: 'bench', namespace: 'default' } } as never),
    total,
  );
  const patch = (i: number) => ({
    spec: { http: [{ name: `r${i}`, route: [{ destination: { host: 'x' } }] }] },
  });
  await timeCalls('ours: mergePatch VirtualService', N, (i) => ours.mergePatch(ref, patch(i)), total);
  await timeCalls(
    'client-node patch(MergePatch)',
    N,
    (i) =>
      objApi.patch(
        {
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: { name: 'bench', namespace: 'default' },
          ...patch(i),
        } as never,
        undefined,
        undefined,
        undefined,
        undefined,
        k8s.PatchStrategy.MergePatch,
      ),
    total,
  );
  await timeCalls(
    'ours: list Deployments with a label selector',
    N,
    () => ours.list('apps/v1', 'Deployment', 'default', { labelSelector: 'app=x' }),
    total,
  );
  await timeCalls(
    'lock: acquire + release (no contention)',
    50,
    async () => {
      const lock = await acquireLock(ours, {
        namespace: 'default',
        app: 'bench',
        waitTimeoutMs: 0,
        identity: 'bench',
      });
      await lock.release();
    },
    total,
  );
  ours.close();
  await api.close();
  await store.close();
}

console.log(
  `load average: ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
startupFigures();
await requests();
