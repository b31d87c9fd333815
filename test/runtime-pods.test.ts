// The pod runtime with real processes: the env a container gets, config errors, unknown images,
// restart policies with CrashLoopBackOff, probes of every kind, events, and a node restart.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { CONFIGMAPS, EVENTS, PODS, SECRETS } from '../src/local/controllers/kinds.js';
import type { KubeObject } from '../src/local/store/types.js';
import { deletePodGracefully } from '../src/local/controllers/pod-deletion.js';
import {
  PROBE_APP_DIR,
  PROBE_IMAGE,
  podObject,
  startNode,
  waitFor,
  type TestNode,
} from './runtime-harness.js';

let node: TestNode;
before(async () => {
  node = await startNode({ controllers: false, backoffBaseMs: 300 });
});
after(() => node.close());

interface ContainerStatus {
  name: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: {
    waiting?: { reason: string; message?: string };
    running?: unknown;
    terminated?: { exitCode: number; reason: string };
  };
  lastState: { terminated?: { exitCode: number; reason: string } };
}

function pod(name: string): KubeObject | undefined {
  return node.store.get(PODS, 'default', name);
}
function podStatus(name: string) {
  return (pod(name)?.status ?? {}) as {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: ContainerStatus[];
  };
}
function cs(name: string): ContainerStatus | undefined {
  return podStatus(name).containerStatuses?.[0];
}
function isReady(name: string): boolean {
  return podStatus(name).conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}
function events(name: string): string[] {
  return node.store
    .list(EVENTS, 'default')
    .items.filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => `${e.type as string} ${e.reason as string}: ${e.message as string}`);
}
async function appEnv(name: string): Promise<Record<string, string>> {
  const res = await fetch(`http://${podStatus(name).podIP}:8080/env`);
  return (await res.json()) as Record<string, string>;
}

test('a pod gets its own loopback address and the env of values, Secrets, ConfigMaps, fieldRefs and envFrom', async () => {
  node.store.create(SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', namespace: 'default' },
    data: { password: Buffer.from('s3cret').toString('base64') },
  });
  node.store.create(CONFIGMAPS, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'default' },
    data: { mode: 'fast', level: '3' },
  });
  const env = [
    { name: 'GREETING', value: 'hello' },
    { name: 'EXPANDED', value: '$(GREETING) world, $$(GREETING)' },
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
    { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
    { name: 'MAYBE', valueFrom: { configMapKeyRef: { name: 'absent', key: 'x', optional: true } } },
    { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'MY_APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
    { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    { name: 'MY_SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
  ];
  node.store.create(
    PODS,
    podObject('envy', {}, { env, envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }] }),
  );
  node.store.create(PODS, podObject('twin'));
  await waitFor('envy and twin ready', () => isReady('envy') && isReady('twin'));
  const s = podStatus('envy');
  assert.match(s.podIP!, /^127\.1\.\d+\.\d+$/);
  assert.notEqual(s.podIP, podStatus('twin').podIP, 'each pod has its own address, both listen on 8080');
  assert.equal(s.hostIP, '127.0.0.1');
  const e = await appEnv('envy');
  assert.deepEqual(
    [
      e.GREETING,
      e.EXPANDED,
      e.DB_PASSWORD,
      e.MODE,
      e.MAYBE,
      e.MY_NAME,
      e.MY_NS,
      e.MY_APP,
      e.MY_IP,
      e.MY_NODE,
      e.MY_SA,
    ],
    [
      'hello',
      'hello world, $(GREETING)',
      's3cret',
      'fast',
      undefined,
      'envy',
      'default',
      'envy',
      s.podIP,
      'cutover-local',
      'default',
    ],
  );
  assert.deepEqual([e.CFG_mode, e.CFG_level], ['fast', '3']);
  assert.deepEqual(
    [e.HOSTNAME, e.POD_IP, e.HOST, e.PORT],
    ['envy', s.podIP, s.podIP, '8080'],
    'cluster env and the image env',
  );
  assert.ok(e.PATH, 'PATH is passed so that commands are found');
  const ev = events('envy');
  for (const reason of ['Normal Scheduled', 'Normal Pulled', 'Normal Created', 'Normal Started']) {
    assert.ok(
      ev.some((x) => x.startsWith(reason)),
      `event ${reason} in ${ev.join(' | ')}`,
    );
  }
});

test('a missing Secret is CreateContainerConfigError until the Secret exists', async () => {
  node.store.create(
    PODS,
    podObject(
      'needs-secret',
      {},
      { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'later', key: 'x' } } }] },
    ),
  );
  const waiting = await waitFor(
    'config error',
    () =>
      cs('needs-secret')?.state.waiting?.reason === 'CreateContainerConfigError' &&
      cs('needs-secret')!.state.waiting,
  );
  assert.equal(waiting.message, 'secret "later" not found');
  assert.equal(podStatus('needs-secret').phase, 'Pending');
  assert.ok(events('needs-secret').includes('Warning Failed: Error: secret "later" not found'));
  node.store.create(SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'later', namespace: 'default' },
    data: { x: Buffer.from('1').toString('base64') },
  });
  await waitFor('running after the Secret appeared', () => isReady('needs-secret'));
});

test('an unknown image is ErrImagePull then ImagePullBackOff, and runs once the image is added', async () => {
  node.store.create(PODS, podObject('pull', {}, { image: 'example.com/team/late:2' }));
  await waitFor('ErrImagePull', () => cs('pull')?.state.waiting?.reason === 'ErrImagePull');
  await waitFor('ImagePullBackOff', () => cs('pull')?.state.waiting?.reason === 'ImagePullBackOff');
  const ev = events('pull');
  assert.ok(
    ev.some((x) => x.startsWith('Warning Failed: Failed to pull image "example.com/team/late:2"')),
    ev.join(' | '),
  );
  assert.ok(ev.includes('Normal BackOff: Back-off pulling image "example.com/team/late:2"'), ev.join(' | '));
  node.images.add('example.com/team/late:2', {
    dir: PROBE_APP_DIR,
    env: { PORT: '8080' },
    command: ['node', 'server.mjs'],
  });
  await waitFor('running after the image was added', () => isReady('pull'), 30_000);
});

test('restartPolicy Always restarts a crashing container with CrashLoopBackOff and a growing restartCount', async () => {
  node.store.create(
    PODS,
    podObject(
      'crash',
      {},
      {
        env: [
          { name: 'CRASH', value: 'true' },
          { name: 'CRASH_CODE', value: '3' },
        ],
        readinessProbe: null,
      },
    ),
  );
  const back = await waitFor(
    'CrashLoopBackOff',
    () => cs('crash')?.state.waiting?.reason === 'CrashLoopBackOff' && cs('crash'),
  );
  assert.match(
    back.state.waiting!.message!,
    /^back-off [\d.]+m?s restarting failed container=app pod=crash_default\(.+\)$/,
  );
  assert.deepEqual(
    { exitCode: back.lastState.terminated!.exitCode, reason: back.lastState.terminated!.reason },
    { exitCode: 3, reason: 'Error' },
  );
  await waitFor('restartCount ≥ 3', () => (cs('crash')?.restartCount ?? 0) >= 3, 45_000);
  assert.equal(podStatus('crash').phase, 'Running');
  assert.ok(
    events('crash').some((x) =>
      x.startsWith('Warning BackOff: Back-off restarting failed container app in pod crash_default'),
    ),
  );
});

test('restartPolicy Never ends Failed, OnFailure ends Succeeded on exit 0', async () => {
  node.store.create(
    PODS,
    podObject(
      'never',
      { restartPolicy: 'Never' },
      { env: [{ name: 'CRASH', value: 'true' }], readinessProbe: null },
    ),
  );
  node.store.create(
    PODS,
    podObject(
      'once',
      { restartPolicy: 'OnFailure' },
      { command: ['node', '-e', 'console.log("done")'], readinessProbe: null },
    ),
  );
  await waitFor('never Failed', () => podStatus('never').phase === 'Failed');
  await waitFor('once Succeeded', () => podStatus('once').phase === 'Succeeded');
  assert.deepEqual([cs('never')!.state.terminated!.exitCode, cs('never')!.restartCount], [1, 0]);
  assert.deepEqual([cs('once')!.state.terminated!.reason, cs('once')!.restartCount], ['Completed', 0]);
});

test('a failing liveness probe restarts the container; exec and tcpSocket probes work', async () => {
  node.store.create(
    PODS,
    podObject(
      'live',
      {},
      {
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        livenessProbe: {
          exec: {
            command: [
              'node',
              '-e',
              'process.exit(require("fs").existsSync("/nonexistent-liveness-file") ? 0 : 1)',
            ],
          },
          periodSeconds: 1,
          failureThreshold: 2,
        },
      },
    ),
  );
  await waitFor('liveness restart', () => (cs('live')?.restartCount ?? 0) >= 1, 45_000);
  const ev = events('live');
  assert.ok(
    ev.some((x) => x.startsWith('Warning Unhealthy: Liveness probe failed')),
    ev.join(' | '),
  );
  assert.ok(
    ev.includes('Normal Killing: Container app failed liveness probe, will be restarted'),
    ev.join(' | '),
  );
});

test('a startup probe holds readiness back until it passes', async () => {
  node.store.create(
    PODS,
    podObject(
      'slow',
      {},
      { startupProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, initialDelaySeconds: 1 } },
    ),
  );
  await waitFor('slow running', () => cs('slow')?.state.running);
  assert.equal(cs('slow')!.started, false);
  assert.equal(isReady('slow'), false);
  await waitFor('slow started and ready', () => cs('slow')?.started && isReady('slow'));
});

test('init containers run to completion first; a failing one with restartPolicy Never fails the pod', async () => {
  const init = (name: string, code: number) => ({
    name,
    image: PROBE_IMAGE,
    command: ['node', '-e', `console.log("init ${name}"); process.exit(${code})`],
  });
  node.store.create(PODS, podObject('inited', { initContainers: [init('first', 0), init('second', 0)] }));
  node.store.create(
    PODS,
    podObject('init-fails', { restartPolicy: 'Never', initContainers: [init('broken', 2)] }),
  );
  await waitFor('inited ready', () => isReady('inited'));
  const statuses = (pod('inited')!.status as { initContainerStatuses: ContainerStatus[] })
    .initContainerStatuses;
  assert.deepEqual(
    statuses.map((s) => [s.name, s.state.terminated?.reason, s.state.terminated?.exitCode]),
    [
      ['first', 'Completed', 0],
      ['second', 'Completed', 0],
    ],
  );
  await waitFor('init-fails Failed', () => podStatus('init-fails').phase === 'Failed');
  assert.equal(
    cs('init-fails')!.state.waiting?.reason,
    'ContainerCreating',
    'the app container never started',
  );
  const initialized = podStatus('init-fails').conditions!.find((c) => c.type === 'Initialized');
  assert.equal(initialized!.status, 'False');
});

test('on deletion the preStop hook runs before SIGTERM', async (t) => {
  const calls: string[] = [];
  const notify = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push(body);
      res.end();
    });
  });
  await new Promise<void>((r) => notify.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => notify.close(() => r())));
  const url = `http://127.0.0.1:${(notify.address() as AddressInfo).port}/`;
  const preStop = {
    exec: { command: ['node', '-e', 'fetch(process.env.NOTIFY_URL, { method: "POST", body: "preStop" })'] },
  };
  node.store.create(
    PODS,
    podObject('hooked', {}, { env: [{ name: 'NOTIFY_URL', value: url }], lifecycle: { preStop } }),
  );
  await waitFor('hooked ready', () => isReady('hooked'));
  deletePodGracefully(node.store, pod('hooked')!);
  await waitFor('hooked gone', () => !pod('hooked'));
  await waitFor('both calls', () => calls.length === 2);
  assert.deepEqual(calls, ['preStop', 'SIGTERM hooked']);
  assert.ok(events('hooked').includes('Normal Killing: Stopping container app'));
});

// Last: it stops this file's node.
test('pods persisted as Running are started again after a node restart, with restartCount + 1', async () => {
  node.store.create(PODS, podObject('survivor'));
  await waitFor('survivor ready', () => isReady('survivor'));
  const before = podStatus('survivor');
  await node.stopRuntime();
  assert.equal(
    podStatus('survivor').phase,
    'Running',
    'the store still says Running, with no process behind it',
  );
  const again = await startNode({ controllers: false, store: node.store, stateDir: node.stateDir });
  try {
    await waitFor('survivor restarted', () => cs('survivor')?.restartCount === 1 && isReady('survivor'));
    assert.equal(podStatus('survivor').podIP, before.podIP, 'the pod keeps its address');
    assert.equal(podStatus('survivor').startTime, before.startTime);
    assert.equal(cs('survivor')!.lastState.terminated!.reason, 'Unknown');
    const res = await fetch(`http://${before.podIP}:8080/`);
    assert.equal(res.status, 200);
  } finally {
    await again.close();
  }
});
