// Subresources and deletion semantics: scale, status, pods/log and pods/exec hand-off (and their
// refusals), dryRun, deletecollection, finalizers, Orphan propagation and namespace deletion.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import type { PodSubresourceHandlers } from '../src/local/apiserver/pod-subresources.js';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';

// Replies are checked field by field, so they are typed loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// A stand-in for the pod runtime: what the API server hands over, echoed back.
const wss = new WebSocketServer({ noServer: true });
const pods: PodSubresourceHandlers = {
  log(_req, res, pod, query) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`log of ${pod.metadata.name}/${query.get('container') ?? ''}\n`);
  },
  exec(req, socket, head, pod, query) {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(
        Buffer.concat([
          Buffer.from([1]),
          Buffer.from(`${pod.metadata.name} ${query.getAll('command').join(' ')}`),
        ]),
      );
      ws.close(1000);
    });
  },
};

let server: TestApiServer;
let bare: TestApiServer;
before(async () => {
  server = await startTestApiServer({ pods });
  bare = await startTestApiServer();
});
after(async () => {
  await server.close();
  await bare.close();
  wss.close();
});

// Log output is plain text; everything else is JSON.
function parseOrUndefined(text: string): Json {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function api(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  base = server,
) {
  const res = await fetch(`${base.api.url}${path}`, {
    method,
    headers: { 'Content-Type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: parseOrUndefined(text) };
}

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const PODS = '/api/v1/namespaces/default/pods';

function deployment(name: string) {
  return {
    metadata: { name },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'demo:1' }] },
      },
    },
  };
}

test('scale: GET, PATCH and PUT of autoscaling/v1 Scale', async () => {
  assert.equal((await api('POST', DEPLOYMENTS, deployment('sc'))).status, 201);
  const scale = await api('GET', `${DEPLOYMENTS}/sc/scale`);
  assert.deepEqual(
    [scale.json.kind, scale.json.apiVersion, scale.json.spec.replicas, scale.json.status.selector],
    ['Scale', 'autoscaling/v1', 2, 'app=sc'],
  );
  const patched = await api(
    'PATCH',
    `${DEPLOYMENTS}/sc/scale`,
    { spec: { replicas: 4 } },
    'application/merge-patch+json',
  );
  assert.equal(patched.json.spec.replicas, 4);
  const put = await api('PUT', `${DEPLOYMENTS}/sc/scale`, {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: 'sc', resourceVersion: patched.json.metadata.resourceVersion },
    spec: { replicas: 1 },
  });
  assert.equal(put.json.spec.replicas, 1);
  const stale = await api('PUT', `${DEPLOYMENTS}/sc/scale`, {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: 'sc', resourceVersion: patched.json.metadata.resourceVersion },
    spec: { replicas: 3 },
  });
  assert.equal(stale.status, 409);
  const d = await api('GET', `${DEPLOYMENTS}/sc`);
  assert.deepEqual([d.json.spec.replicas, d.json.metadata.generation], [1, 3]);
});

test('status: PATCH of /status changes status only, main-resource writes never change status', async () => {
  await api('POST', DEPLOYMENTS, deployment('st'));
  const st = await api(
    'PATCH',
    `${DEPLOYMENTS}/st/status`,
    { status: { replicas: 2, observedGeneration: 1 }, spec: { replicas: 9 } },
    'application/merge-patch+json',
  );
  assert.equal(st.status, 200, st.text);
  assert.deepEqual([st.json.status.replicas, st.json.spec.replicas, st.json.metadata.generation], [2, 2, 1]);
  const main = await api(
    'PATCH',
    `${DEPLOYMENTS}/st`,
    { status: { replicas: 7 } },
    'application/merge-patch+json',
  );
  assert.equal(main.json.status.replicas, 2);
});

test('pods/log and pods/exec: the pod and container are checked, then the runtime takes over', async () => {
  const pod = {
    metadata: { name: 'two' },
    spec: {
      containers: [
        { name: 'a', image: 'demo:1' },
        { name: 'b', image: 'demo:1' },
      ],
    },
  };
  assert.equal((await api('POST', PODS, pod)).status, 201);
  assert.equal((await api('GET', `${PODS}/two/log?container=b`)).text, 'log of two/b\n');
  const ambiguous = await api('GET', `${PODS}/two/log`);
  assert.deepEqual(
    [ambiguous.status, ambiguous.json.message],
    [400, 'a container name must be specified for pod two, choose one of: [a b]'],
  );
  const wrong = await api('GET', `${PODS}/two/log?container=c`);
  assert.deepEqual([wrong.status, wrong.json.message], [400, 'container c is not valid for pod two']);
  assert.equal((await api('GET', `${PODS}/ghost/log?container=a`)).status, 404);

  const ws = new WebSocket(
    `ws://127.0.0.1:${server.api.port}${PODS}/two/exec?container=a&command=echo&command=hi&stdout=true`,
    ['v5.channel.k8s.io'],
  );
  const frame = await new Promise<Buffer>((resolve, reject) => {
    ws.on('message', (data: Buffer) => resolve(data));
    ws.on('error', reject);
  });
  assert.equal(frame.subarray(1).toString(), 'two echo hi');

  // An upgrade to anything but WebSocket or SPDY/3.1 is refused with a Status kubectl prints
  // (SPDY itself is served by the pod runtime: test/runtime-spdy.test.ts).
  const other = await rawUpgrade(server, 'POST', `${PODS}/two/exec?container=a&command=sh`, 'h2c');
  assert.match(other, /^HTTP\/1\.1 400 Bad Request/);
  assert.match(other, /Upgrade request required/);
  const noRuntime = await api('POST', PODS, pod, 'application/json', bare);
  assert.equal(noRuntime.status, 201);
  const unavailable = await api('GET', `${PODS}/two/log?container=a`, undefined, 'application/json', bare);
  assert.deepEqual([unavailable.status, unavailable.json.reason], [503, 'ServiceUnavailable']);
});

function rawUpgrade(target: TestApiServer, method: string, path: string, protocol: string): Promise<string> {
  return new Promise((resolve, reject) => {
    import('node:net').then(({ connect }) => {
      const socket = connect(target.api.port, '127.0.0.1', () => {
        socket.write(
          `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\nContent-Length: 0\r\n\r\n`,
        );
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    }, reject);
  });
}

test('dryRun=All validates and answers without writing', async () => {
  const dry = await api('POST', `/api/v1/namespaces/default/configmaps?dryRun=All`, {
    metadata: { name: 'dry' },
  });
  assert.equal(dry.status, 201);
  assert.equal(dry.json.metadata.resourceVersion, undefined);
  assert.equal((await api('GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
});

test('deletecollection with a label selector; Orphan strips owner references; finalizers hold deletion', async () => {
  const CM = '/api/v1/namespaces/default/configmaps';
  const owner = await api('POST', CM, { metadata: { name: 'owner', labels: { batch: 'x' } } });
  await api('POST', CM, {
    metadata: {
      name: 'dep',
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.json.metadata.uid }],
    },
  });
  await api('POST', CM, { metadata: { name: 'x2', labels: { batch: 'x' } } });
  const orphaned = await api('DELETE', `${CM}/owner`, { propagationPolicy: 'Orphan' });
  assert.equal(orphaned.status, 200);
  assert.equal((await api('GET', `${CM}/dep`)).json.metadata.ownerReferences, undefined);
  const gone = await api('DELETE', `${CM}?labelSelector=batch%3Dx`);
  assert.deepEqual(
    gone.json.items.map((i: Json) => i.metadata.name),
    ['x2'],
  );

  await api('POST', CM, { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  const held = await api('DELETE', `${CM}/held`);
  assert.ok(held.json.metadata.deletionTimestamp);
  assert.equal((await api('GET', `${CM}/held`)).status, 200);
  const released = await api(
    'PATCH',
    `${CM}/held`,
    { metadata: { finalizers: null } },
    'application/merge-patch+json',
  );
  assert.equal(released.status, 200);
  assert.equal((await api('GET', `${CM}/held`)).status, 404);
});

test('deleting a namespace deletes what is in it', async () => {
  await api('POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } });
  await api('POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'inside' } });
  assert.equal((await api('DELETE', '/api/v1/namespaces/doomed')).status, 200);
  assert.equal((await api('GET', '/api/v1/namespaces/doomed')).status, 404);
  assert.deepEqual(
    (await api('GET', '/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddoomed')).json.items,
    [],
  );
});
