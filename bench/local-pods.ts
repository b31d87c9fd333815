// How fast the local cluster's node and controllers are: a pod from creation to Ready, a
// Deployment from creation to rolled out, a rolling update, a graceful deletion, and exec round
// trips (client-node and kubectl). Uses the probe app of test/fixtures (a plain node script), so
// the figures are the cluster's overhead plus one `node` start per pod.
//   node --import tsx bench/local-pods.ts [rounds]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { DEPLOYMENTS, PODS } from '../src/local/controllers/kinds.js';
import { deletePodGracefully } from '../src/local/controllers/pod-deletion.js';
import type { KubeObject } from '../src/local/store/types.js';
import { deploymentObject, kubectlPath, podObject, startNode, waitFor } from '../test/runtime-harness.js';

const rounds = Number(process.argv[2] ?? 5);
const node = await startNode({ api: true });
const store = node.store;

function podReady(name: string): boolean {
  const s = store.get(PODS, 'default', name)?.status as
    { conditions?: Array<{ type: string; status: string }> } | undefined;
  return s?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function rolledOut(name: string, replicas: number): boolean {
  const d = store.get(DEPLOYMENTS, 'default', name);
  const s = (d?.status ?? {}) as {
    observedGeneration?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    replicas?: number;
  };
  return (
    (s.observedGeneration ?? 0) >= (d?.metadata.generation ?? 1) &&
    s.updatedReplicas === replicas &&
    s.availableReplicas === replicas &&
    s.replicas === replicas
  );
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function summary(label: string, ms: number[]): void {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(
    `${label.padEnd(52)} median ${median.toFixed(0).padStart(5)} ms   min ${sorted[0]!.toFixed(0).padStart(5)}   max ${sorted.at(-1)!.toFixed(0).padStart(5)}`,
  );
}

const results: Record<string, number[]> = {};
const record = (label: string, ms: number) => (results[label] ??= []).push(ms);
const noReadiness = { readinessProbe: null };

for (let i = 0; i < rounds; i++) {
  record(
    'pod create → Ready (no readiness probe)',
    await timed(async () => {
      store.create(PODS, podObject(`bare-${i}`, {}, noReadiness));
      await waitFor('ready', () => podReady(`bare-${i}`));
    }),
  );
  record(
    'pod create → Ready (httpGet readiness probe)',
    await timed(async () => {
      store.create(PODS, podObject(`probed-${i}`));
      await waitFor('ready', () => podReady(`probed-${i}`));
    }),
  );
  record(
    'graceful delete → pod gone (app exits on SIGTERM)',
    await timed(async () => {
      deletePodGracefully(store, store.get(PODS, 'default', `probed-${i}`) as KubeObject);
      await waitFor('gone', () => !store.get(PODS, 'default', `probed-${i}`));
    }),
  );
  store.delete(PODS, 'default', `bare-${i}`);
  for (const replicas of [1, 5]) {
    const name = `d${replicas}-${i}`;
    record(
      `Deployment ×${replicas} create → rolled out`,
      await timed(async () => {
        store.create(DEPLOYMENTS, deploymentObject(name, { replicas, containerOptions: noReadiness }));
        await waitFor('rolled out', () => rolledOut(name, replicas), 60_000);
      }),
    );
    record(
      `Deployment ×${replicas} RollingUpdate → rolled out`,
      await timed(async () => {
        const d = store.get(DEPLOYMENTS, 'default', name)!;
        const spec = d.spec as { template: { metadata: { annotations?: Record<string, string> } } };
        spec.template.metadata.annotations = { restartedAt: String(Date.now()) };
        store.update(DEPLOYMENTS, d);
        await waitFor(
          'rolled out',
          () =>
            rolledOut(name, replicas) &&
            (store.get(DEPLOYMENTS, 'default', name)!.status as { updatedReplicas?: number })
              .updatedReplicas === replicas,
          60_000,
        );
      }),
    );
    store.delete(DEPLOYMENTS, 'default', name);
  }
}

store.create(PODS, podObject('shell', {}, noReadiness));
await waitFor('shell', () => podReady('shell'));
const kc = new k8s.KubeConfig();
kc.loadFromFile(node.kubeconfigPath!);
const sink = new Writable({ write: (_c, _e, done) => done() });
for (let i = 0; i < rounds * 4; i++) {
  record(
    'exec `true` via client-node (WebSocket v5)',
    await timed(
      () =>
        new Promise((resolve, reject) => {
          new k8s.Exec(kc)
            .exec('default', 'shell', 'app', ['true'], sink, sink, null, false, resolve)
            .catch(reject);
        }),
    ),
  );
}
const kubectl = kubectlPath();
for (let i = 0; i < rounds; i++) {
  record(
    '`kubectl exec shell -- true` (whole kubectl process)',
    await timed(async () => {
      // Not spawnSync: the API server that answers kubectl runs in this very process.
      await promisify(execFile)(kubectl, ['exec', 'shell', '--', 'true'], {
        env: { ...process.env, KUBECONFIG: node.kubeconfigPath! },
      });
    }),
  );
}

await node.close();
console.log(`local cluster node, ${rounds} rounds (node ${process.version}, ${process.platform})`);
for (const [label, ms] of Object.entries(results)) summary(label, ms);
