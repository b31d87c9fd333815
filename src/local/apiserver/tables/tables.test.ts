import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../resources.js';
import type { KubeObject } from '../../store/types.js';
import { humanDuration, toTable } from './index.js';

const now = new Date('2026-01-01T12:00:00Z');
const ago = (seconds: number) =>
  new Date(now.getTime() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const type = (group: string, resource: string) => findResource(group, resource)!;

function table(
  group: string,
  resource: string,
  obj: Omit<Partial<KubeObject>, 'metadata'> & { metadata?: Partial<KubeObject['metadata']> },
) {
  const full = {
    apiVersion: 'v1',
    kind: 'X',
    ...obj,
    metadata: { name: 'x', namespace: 'default', creationTimestamp: ago(300), ...obj.metadata },
  } as KubeObject;
  return toTable(type(group, resource), [full], { resourceVersion: '42', now });
}

const header = (t: ReturnType<typeof table>, wide = false) =>
  t.columnDefinitions.filter((c) => wide || c.priority === 0).map((c) => c.name);

describe('humanDuration', () => {
  it('prints ages like kubectl', () => {
    const cases: Array<[number, string]> = [
      [0, '0s'],
      [-1.5, '0s'],
      [-5, '<invalid>'],
      [59, '59s'],
      [119, '119s'],
      [120, '2m'],
      [125, '2m5s'],
      [600, '10m'],
      [179 * 60, '179m'],
      [3 * 3600 + 120, '3h2m'],
      [5 * 3600, '5h'],
      [30 * 3600, '30h'],
      [3 * 86400 + 3600, '3d1h'],
      [20 * 86400, '20d'],
      [3 * 365 * 86400 + 86400 * 10, '3y10d'],
      [9 * 365 * 86400, '9y'],
    ];
    for (const [s, text] of cases) assert.equal(humanDuration(s * 1000), text, `${s}s`);
  });
});

describe('toTable', () => {
  it('prints Deployments with Ready/Up-to-date/Available and wide containers, images, selector', () => {
    const t = table('apps', 'deployments', {
      metadata: { name: 'myapp-blue' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { color: 'blue', app: 'myapp' } },
        template: {
          spec: {
            containers: [
              { name: 'myapp', image: 'demo/myapp:1' },
              { name: 'side', image: 'envoy' },
            ],
          },
        },
      },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    });
    assert.deepEqual(header(t), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    assert.deepEqual(header(t, true).slice(5), ['Containers', 'Images', 'Selector']);
    assert.deepEqual(t.rows[0]!.cells, [
      'myapp-blue',
      '2/3',
      3,
      2,
      '5m',
      'myapp,side',
      'demo/myapp:1,envoy',
      'app=myapp,color=blue',
    ]);
    assert.deepEqual(t.rows[0]!.object?.kind, 'PartialObjectMetadata');
    assert.equal(t.rows[0]!.object?.metadata.namespace, 'default');
    assert.deepEqual(t.metadata, { resourceVersion: '42' });
  });
  it('carries metadata, the whole object or nothing per row as includeObject asks', () => {
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default', creationTimestamp: ago(60) },
      lastTimestamp: ago(30),
      reason: 'ScalingReplicaSet',
    } as KubeObject;
    const rows = (includeObject?: 'None' | 'Metadata' | 'Object') =>
      toTable(type('', 'events'), [ev], { resourceVersion: '1', now, includeObject }).rows;
    assert.deepEqual(rows()[0]!.object, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: ev.metadata,
    });
    assert.deepEqual(rows('Metadata'), rows());
    assert.deepEqual(rows('Object')[0]!.object, ev);
    assert.equal(rows('None')[0]!.object, null);
    assert.deepEqual(rows('None')[0]!.cells, rows('Object')[0]!.cells);
  });
  it('computes the pod STATUS column as kubectl does', () => {
    const pod = (status: Record<string, unknown>, extra: Partial<KubeObject['metadata']> = {}) =>
      table('', 'pods', {
        spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'local' },
        status,
        metadata: extra,
      });
    const running = pod({
      phase: 'Running',
      podIP: '10.0.0.5',
      containerStatuses: [
        { name: 'c', ready: true, restartCount: 0, state: { running: { startedAt: ago(60) } } },
      ],
    });
    assert.deepEqual(running.rows[0]!.cells, [
      'x',
      '1/1',
      'Running',
      0,
      '5m',
      '10.0.0.5',
      'local',
      '<none>',
      '<none>',
    ]);
    const creating = pod({
      phase: 'Pending',
      containerStatuses: [
        { name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    });
    assert.equal(creating.rows[0]!.cells[2], 'ContainerCreating');
    assert.equal(creating.rows[0]!.cells[1], '0/1');
    const pull = pod({
      phase: 'Pending',
      containerStatuses: [
        { name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } },
      ],
    });
    assert.equal(pull.rows[0]!.cells[2], 'ErrImagePull');
    const crash = pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, finishedAt: ago(90) } },
        },
      ],
    });
    assert.deepEqual(crash.rows[0]!.cells.slice(1, 4), ['0/1', 'CrashLoopBackOff', '4 (90s ago)']);
    const done = pod({
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
    });
    assert.equal(done.rows[0]!.cells[2], 'Completed');
    const exit = pod({
      phase: 'Failed',
      containerStatuses: [
        { name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } },
      ],
    });
    assert.equal(exit.rows[0]!.cells[2], 'ExitCode:3');
    const terminating = pod(
      { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, state: { running: {} } }] },
      { deletionTimestamp: ago(1) },
    );
    assert.equal(terminating.rows[0]!.cells[2], 'Terminating');
    const pending = pod({ phase: 'Pending' });
    assert.deepEqual(pending.rows[0]!.cells.slice(1, 3), ['0/1', 'Pending']);
    const init = table('', 'pods', {
      spec: { initContainers: [{ name: 'm' }], containers: [{ name: 'c' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'm', state: { running: {} } }] },
    });
    assert.equal(init.rows[0]!.cells[2], 'Init:0/1');
  });
  it('prints Services with type, IPs, ports and the wide selector', () => {
    const t = table('', 'services', {
      spec: {
        clusterIP: '10.96.0.10',
        selector: { app: 'myapp' },
        ports: [
          { port: 3000, name: 'http' },
          { port: 53, protocol: 'UDP' },
        ],
      },
    });
    assert.deepEqual(t.rows[0]!.cells, [
      'x',
      'ClusterIP',
      '10.96.0.10',
      '<none>',
      '3000/TCP,53/UDP',
      '5m',
      'app=myapp',
    ]);
    const lb = table('', 'services', {
      spec: { type: 'LoadBalancer', clusterIP: '10.0.0.1', ports: [{ port: 80, nodePort: 30080 }] },
    });
    assert.deepEqual(lb.rows[0]!.cells.slice(1, 5), [
      'LoadBalancer',
      '10.0.0.1',
      '<pending>',
      '80:30080/TCP',
    ]);
  });
  it('prints Endpoints, Namespaces, Secrets, ConfigMaps, Leases and Events', () => {
    const ep = table('', 'endpoints', {
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }],
          ports: [{ port: 3000 }],
        },
      ],
    });
    assert.deepEqual(ep.rows[0]!.cells, ['x', '10.0.0.1:3000,10.0.0.2:3000,10.0.0.3:3000 + 1 more...', '5m']);
    assert.deepEqual(table('', 'endpoints', {}).rows[0]!.cells[1], '<none>');
    assert.deepEqual(table('', 'namespaces', { status: { phase: 'Active' } }).rows[0]!.cells, [
      'x',
      'Active',
      '5m',
    ]);
    assert.deepEqual(
      table('', 'secrets', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': 'e30=' } })
        .rows[0]!.cells,
      ['x', 'kubernetes.io/dockerconfigjson', 1, '5m'],
    );
    assert.deepEqual(table('', 'configmaps', { data: { a: '1', b: '2' } }).rows[0]!.cells, ['x', 2, '5m']);
    assert.deepEqual(
      table('coordination.k8s.io', 'leases', { spec: { holderIdentity: 'ci-1' } }).rows[0]!.cells,
      ['x', 'ci-1', '5m'],
    );
    const ev = table('', 'events', {
      type: 'Normal',
      reason: 'Scheduled',
      message: 'ok',
      lastTimestamp: ago(30),
      involvedObject: { kind: 'Pod', name: 'web-1' },
    });
    assert.deepEqual(header(ev), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    assert.deepEqual(ev.rows[0]!.cells.slice(0, 4), ['30s', 'Normal', 'Scheduled', 'pod/web-1']);
    assert.equal(ev.rows[0]!.cells[6], 'ok');
  });
  it('prints the Istio printer columns as the CRDs declare them', () => {
    const vs = table('networking.istio.io', 'virtualservices', {
      spec: { gateways: ['myapp-gateway'], hosts: ['*'] },
    });
    assert.deepEqual(header(vs), ['Name', 'Gateways', 'Hosts', 'Age']);
    assert.deepEqual(vs.rows[0]!.cells, ['x', '["myapp-gateway"]', '["*"]', '5m']);
    assert.deepEqual(
      table('networking.istio.io', 'destinationrules', { spec: { host: 'myapp' } }).rows[0]!.cells,
      ['x', 'myapp', '5m'],
    );
    assert.deepEqual(table('networking.istio.io', 'gateways', { spec: {} }).rows[0]!.cells, ['x', '5m']);
    assert.deepEqual(table('networking.istio.io', 'virtualservices', { spec: {} }).rows[0]!.cells, [
      'x',
      null,
      null,
      '5m',
    ]);
  });
});
