// Service → Endpoints with real pods: ready pods are addresses, unready ones notReadyAddresses,
// named target ports resolve against the pod, and a deleted pod leaves the endpoints before its
// process gets SIGTERM.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ENDPOINTS, PODS, SERVICES } from '../src/local/controllers/kinds.js';
import { deletePodGracefully } from '../src/local/controllers/pod-deletion.js';
import type { KubeObject } from '../src/local/store/types.js';
import { podObject, startNode, waitFor, type TestNode } from './runtime-harness.js';

let node: TestNode;
before(async () => {
  node = await startNode();
});
after(() => node.close());

interface Subset {
  addresses?: Array<{ ip: string; targetRef: { name: string; uid: string } }>;
  notReadyAddresses?: Array<{ ip: string; targetRef: { name: string } }>;
  ports: Array<{ name?: string; port: number; protocol: string }>;
}

function service(name: string, selector: Record<string, string>, targetPort: number | string): void {
  node.store.create(SERVICES, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', labels: { team: 'x' } },
    spec: { selector, ports: [{ name: 'web', port: 80, targetPort, protocol: 'TCP' }] },
  });
}

function subsets(name: string): Subset[] {
  return (node.store.get(ENDPOINTS, 'default', name)?.subsets ?? []) as Subset[];
}

function podIp(name: string): string | undefined {
  return (node.store.get(PODS, 'default', name)?.status as { podIP?: string } | undefined)?.podIP;
}

test('ready pods are addresses with targetRef; a named targetPort resolves to the container port', async () => {
  service('web', { app: 'web-a' }, 'http');
  node.store.create(PODS, podObject('web-a'));
  const ready = await waitFor('web-a in addresses', () => subsets('web')[0]?.addresses?.[0]);
  assert.equal(ready.ip, podIp('web-a'));
  assert.equal(ready.targetRef.name, 'web-a');
  assert.deepEqual(subsets('web')[0]!.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(node.store.get(ENDPOINTS, 'default', 'web')!.metadata.labels, { team: 'x' });
  const res = await fetch(`http://${ready.ip}:8080/`);
  assert.equal(((await res.json()) as { pod: string }).pod, 'web-a');
});

test('a readiness flip moves the pod between addresses and notReadyAddresses', async () => {
  service('flip', { app: 'flip' }, 8080);
  node.store.create(PODS, podObject('flip'));
  const ip = (await waitFor('flip ready', () => subsets('flip')[0]?.addresses?.[0])).ip;
  await fetch(`http://${ip}:8080/ready/off`);
  await waitFor(
    'flip not ready',
    () => subsets('flip')[0]?.notReadyAddresses?.[0]?.ip === ip && !subsets('flip')[0]!.addresses,
  );
  const ready = (
    node.store.get(PODS, 'default', 'flip')!.status as { conditions: Array<{ type: string; status: string }> }
  ).conditions.find((c) => c.type === 'Ready');
  assert.equal(ready!.status, 'False');
  await fetch(`http://${ip}:8080/ready/on`);
  await waitFor('flip ready again', () => subsets('flip')[0]?.addresses?.[0]?.ip === ip);
});

test('a Service without a selector gets no managed Endpoints; a deleted Service loses its Endpoints', async () => {
  node.store.create(SERVICES, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'manual', namespace: 'default' },
    spec: { ports: [{ port: 80 }] },
  });
  service('gone', { app: 'nobody' }, 8080);
  await waitFor('Endpoints of gone', () => node.store.get(ENDPOINTS, 'default', 'gone'));
  assert.equal(node.store.get(ENDPOINTS, 'default', 'manual'), undefined);
  assert.equal(node.store.get(ENDPOINTS, 'default', 'gone')!.subsets, undefined);
  node.store.delete(SERVICES, 'default', 'gone');
  await waitFor('Endpoints of gone deleted', () => !node.store.get(ENDPOINTS, 'default', 'gone'));
});

test('a deleted pod leaves the endpoints before its process gets SIGTERM', async (t) => {
  // The app calls this server when it gets SIGTERM; at that moment the endpoints must be drained.
  let drainedAtSigterm: boolean | undefined;
  const notify = createServer((req, res) => {
    drainedAtSigterm = !subsets('drain').some((s) => s.addresses?.length);
    res.end();
  });
  await new Promise<void>((r) => notify.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => notify.close(() => r())));
  const url = `http://127.0.0.1:${(notify.address() as AddressInfo).port}/`;
  service('drain', { app: 'drain' }, 8080);
  node.store.create(
    PODS,
    podObject(
      'drain',
      {},
      {
        env: [
          { name: 'NOTIFY_URL', value: url },
          { name: 'TERM_DELAY_MS', value: '200' },
        ],
      },
    ),
  );
  await waitFor('drain ready', () => subsets('drain')[0]?.addresses?.[0]);
  deletePodGracefully(node.store, node.store.get(PODS, 'default', 'drain') as KubeObject);
  await waitFor('drain pod gone', () => !node.store.get(PODS, 'default', 'drain'));
  await waitFor('the app reported SIGTERM', () => drainedAtSigterm !== undefined);
  assert.equal(drainedAtSigterm, true, 'the pod was still a ready endpoint when it got SIGTERM');
  assert.deepEqual(subsets('drain'), []);
});
