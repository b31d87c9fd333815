// exec and logs through the cluster access layer, against the local cluster's pod runtime:
// a real process in a pod, reached over the WebSocket exec protocol (v5.channel.k8s.io).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNode, container, type TestNode } from './runtime-harness.js';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connect, NotFoundError, type KubeClient, type KubeObject } from '../src/kube/index.js';
import { startRecordingProxy } from './helpers/logging-api.js';

let node: TestNode;
let client: KubeClient;

before(async () => {
  node = await startNode({ api: true });
  client = connect({ kubeconfig: node.kubeconfigPath!, env: {} });
  await client.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p1', labels: { app: 'probe' } },
    spec: { terminationGracePeriodSeconds: 1, containers: [container()] },
  });
  // Wait for the container to run (by the API, as the engine would).
  const deadline = Date.now() + 20_000;
  for (;;) {
    const pod = await client.get<
      KubeObject & { status?: { containerStatuses?: Array<{ ready?: boolean }> } }
    >({ apiVersion: 'v1', kind: 'Pod', name: 'p1' });
    if (pod.status?.containerStatuses?.[0]?.ready) break;
    if (Date.now() > deadline) assert.fail(`pod p1 not ready: ${JSON.stringify(pod.status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});
after(async () => {
  client?.close();
  await node?.close();
});

test('exec collects stdout, stderr and the exit code', async () => {
  const r = await client.exec({ name: 'p1' }, 'app', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.deepEqual(r, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  const ok = await client.exec({ name: 'p1' }, undefined, ['node', '-e', 'console.log(process.env.PORT)']);
  assert.deepEqual(ok, { exitCode: 0, stdout: '8080\n', stderr: '' });
});

test('exec in a missing pod fails with the server message', async () => {
  await assert.rejects(client.exec({ name: 'nope' }, 'app', ['true']), /404|not found/);
});

test('logs returns the container log', async () => {
  const log = await client.logs({ name: 'p1' }, { container: 'app' });
  assert.match(log, /listening/i);
  await assert.rejects(client.logs({ name: 'nope' }), NotFoundError);
});

test('exec through a proxy-url: the WebSocket goes through a CONNECT tunnel, as kubectl 1.33 does', async () => {
  const proxy = await startRecordingProxy();
  const server = (client.server as string).replace(/\/$/, '');
  const file = join(tmpdir(), `cutover-exec-proxy-${process.pid}.yaml`);
  writeFileSync(
    file,
    stringify({
      clusters: [{ name: 'c', cluster: { server, 'proxy-url': proxy.url } }],
      users: [{ name: 'u', user: {} }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
      'current-context': 'x',
    }),
  );
  const proxied = connect({ kubeconfig: file, env: {} });
  try {
    const r = await proxied.exec({ name: 'p1' }, 'app', ['sh', '-c', 'echo via-proxy']);
    assert.deepEqual(r, { exitCode: 0, stdout: 'via-proxy\n', stderr: '' });
    const port = new URL(server).port;
    assert.ok(
      proxy.seen.some((s) => s.line === `CONNECT 127.0.0.1:${port}`),
      JSON.stringify(proxy.seen),
    );
    // Plain-http requests go to the proxy in absolute form.
    await proxied.get({ apiVersion: 'v1', kind: 'Pod', name: 'p1' });
    assert.ok(proxy.seen.some((s) => s.line.startsWith(`GET ${server}/api/v1/namespaces/default/pods/p1`)));
  } finally {
    proxied.close();
    await proxy.close();
    rmSync(file, { force: true });
  }
});
