/* eslint-disable @typescript-eslint/no-explicit-any -- the tests reach deep into untyped JSON objects */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../resources.js';
import { ApiError } from '../../store/api-error.js';
import type { KubeObject } from '../../store/types.js';
import { applyPatch } from './index.js';

const deployments = findResource('apps', 'deployments')!;
const services = findResource('', 'services')!;
const pods = findResource('', 'pods')!;
const virtualServices = findResource('networking.istio.io', 'virtualservices')!;

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      resourceVersion: '7',
      labels: { app: 'web' },
      finalizers: ['a'],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1',
              ports: [{ containerPort: 80 }, { containerPort: 443 }],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              args: ['--x'],
            },
            { name: 'sidecar', image: 'envoy:1' },
          ],
        },
      },
    },
  };
}

function apiErrorCode(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('expected an error');
}

const podSpec = (o: KubeObject) => (o.spec as any).template.spec;

describe('merge patch (RFC 7386)', () => {
  it('merges maps, deletes nulls and replaces lists', () => {
    const out = applyPatch(
      deployments,
      deployment(),
      JSON.stringify({
        metadata: { labels: { app: null, tier: 'x' } },
        spec: { template: { spec: { containers: [{ name: 'only', image: 'i' }] } } },
      }),
      'application/merge-patch+json',
    );
    assert.deepEqual(out.metadata.labels, { tier: 'x' });
    assert.deepEqual(podSpec(out).containers, [{ name: 'only', image: 'i' }]);
    assert.equal((out.spec as any).replicas, 2);
  });
  it('accepts a charset parameter and keeps a resourceVersion precondition from the body', () => {
    const out = applyPatch(
      deployments,
      deployment(),
      '{"metadata":{"resourceVersion":"3"}}',
      'application/merge-patch+json; charset=utf-8',
    );
    assert.equal(out.metadata.resourceVersion, '3');
  });
  it('answers 400 to a body that is not JSON', () => {
    assert.equal(
      apiErrorCode(() => applyPatch(deployments, deployment(), '{nope', 'application/merge-patch+json')),
      400,
    );
  });
  it('answers 422 when the result is not an object', () => {
    assert.equal(
      apiErrorCode(() =>
        applyPatch(deployments, deployment(), '{"metadata":"x"}', 'application/merge-patch+json'),
      ),
      422,
    );
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('applies add, replace, remove, move, copy and test', () => {
    const ops = [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'C', value: '3' } },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
      { op: 'move', from: '/metadata/labels/copy', path: '/metadata/labels/moved' },
      { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': 'x' } },
      { op: 'replace', path: '/metadata/annotations/a~0b~1c', value: 'y' },
    ];
    const out = applyPatch(deployments, deployment(), JSON.stringify(ops), 'application/json-patch+json');
    assert.equal((out.spec as any).replicas, 3);
    assert.deepEqual(out.metadata.labels, { app: 'web', tier: 'front', moved: 'web' });
    assert.equal(podSpec(out).containers.length, 1);
    assert.deepEqual(podSpec(out).containers[0].env[2], { name: 'C', value: '3' });
    assert.deepEqual(out.metadata.annotations, { 'a~b/c': 'y' });
  });
  it('answers 422 with the real generic message when a test fails', () => {
    try {
      applyPatch(
        deployments,
        deployment(),
        '[{"op":"test","path":"/spec/replicas","value":5}]',
        'application/json-patch+json',
      );
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 422);
      assert.equal(err.status.message, 'the server rejected our request due to an error in our request');
      assert.deepEqual(err.status.details, {});
    }
  });
  it('answers 422 for a path that does not exist and 400 for a malformed document', () => {
    assert.equal(
      apiErrorCode(() =>
        applyPatch(
          deployments,
          deployment(),
          '[{"op":"replace","path":"/spec/nope/x","value":1}]',
          'application/json-patch+json',
        ),
      ),
      422,
    );
    assert.equal(
      apiErrorCode(() =>
        applyPatch(
          deployments,
          deployment(),
          '[{"op":"remove","path":"/metadata/labels/none"}]',
          'application/json-patch+json',
        ),
      ),
      422,
    );
    assert.equal(
      apiErrorCode(() =>
        applyPatch(deployments, deployment(), '{"op":"add"}', 'application/json-patch+json'),
      ),
      400,
    );
    assert.equal(
      apiErrorCode(() => applyPatch(deployments, deployment(), '[1', 'application/json-patch+json')),
      400,
    );
  });
});

describe('strategic merge patch', () => {
  it('keeps ports and env when kubectl apply changes only the image (its real 3-way shape)', () => {
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
            containers: [{ image: 'nginx:2', name: 'web' }],
          },
        },
      },
    };
    const out = applyPatch(
      deployments,
      deployment(),
      JSON.stringify(patch),
      'application/strategic-merge-patch+json',
    );
    const web = podSpec(out).containers[0];
    assert.equal(web.image, 'nginx:2');
    assert.deepEqual(web.ports, [{ containerPort: 80 }, { containerPort: 443 }]);
    assert.equal(web.env.length, 2);
    assert.equal(podSpec(out).containers[1].name, 'sidecar');
    assert.equal(JSON.stringify(out).includes('$setElementOrder'), false);
  });
  it('merges env by name, ports by containerPort, deletes with $patch: delete and orders by $setElementOrder', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }, { name: 'D' }],
                env: [
                  { name: 'A', value: 'x' },
                  { name: 'D', value: '4' },
                ],
                ports: [
                  { containerPort: 443, $patch: 'delete' },
                  { containerPort: 8080, name: 'alt' },
                ],
              },
            ],
          },
        },
      },
    };
    const out = applyPatch(
      deployments,
      deployment(),
      JSON.stringify(patch),
      'application/strategic-merge-patch+json',
    );
    const web = podSpec(out).containers[0];
    assert.deepEqual(web.env, [
      { name: 'B', value: '2' },
      { name: 'A', value: 'x' },
      { name: 'D', value: '4' },
    ]);
    assert.deepEqual(web.ports, [{ containerPort: 80 }, { containerPort: 8080, name: 'alt' }]);
    assert.deepEqual(web.args, ['--x']);
  });
  it('replaces lists that have no strategy, and whole lists with $patch: replace', () => {
    const patch = {
      spec: { template: { spec: { containers: [{ name: 'web', args: ['--y'] }, { $patch: 'replace' }] } } },
    };
    const out = applyPatch(
      deployments,
      deployment(),
      JSON.stringify(patch),
      'application/strategic-merge-patch+json',
    );
    assert.deepEqual(podSpec(out).containers, [{ name: 'web', args: ['--y'] }]);
    const out2 = applyPatch(
      deployments,
      deployment(),
      JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'web', args: ['--y'] }] } } } }),
      'application/strategic-merge-patch+json',
    );
    assert.deepEqual(podSpec(out2).containers[0].args, ['--y']);
  });
  it('honours $retainKeys when the strategy type changes (kubectl apply RollingUpdate → Recreate)', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } };
    const out = applyPatch(
      deployments,
      deployment(),
      JSON.stringify(patch),
      'application/strategic-merge-patch+json',
    );
    assert.deepEqual((out.spec as any).strategy, { type: 'Recreate' });
  });
  it('merges finalizers as a set and removes with $deleteFromPrimitiveList', () => {
    const out = applyPatch(
      deployments,
      deployment(),
      JSON.stringify({ metadata: { finalizers: ['b', 'a'] } }),
      'application/strategic-merge-patch+json',
    );
    assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
    const out2 = applyPatch(
      deployments,
      out,
      JSON.stringify({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }),
      'application/strategic-merge-patch+json',
    );
    assert.deepEqual(out2.metadata.finalizers, ['b']);
  });
  it('merges Service ports by port and pod conditions by type', () => {
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https' },
        ],
      },
    };
    const out = applyPatch(
      services,
      svc,
      JSON.stringify({ spec: { ports: [{ port: 80, targetPort: 8080 }] } }),
      'application/strategic-merge-patch+json',
    );
    assert.deepEqual((out.spec as any).ports, [
      { port: 80, name: 'http', targetPort: 8080 },
      { port: 443, name: 'https' },
    ]);
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      status: {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'Initialized', status: 'True' },
        ],
      },
    };
    const out2 = applyPatch(
      pods,
      pod,
      JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
      'application/strategic-merge-patch+json',
    );
    assert.deepEqual((out2.status as any).conditions, [
      { type: 'Ready', status: 'True' },
      { type: 'Initialized', status: 'True' },
    ]);
  });
  it('answers 415 for custom resources and 400 for a merge-key list element without its key', () => {
    const vs: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'v' },
      spec: {},
    };
    try {
      applyPatch(virtualServices, vs, '{}', 'application/strategic-merge-patch+json');
      assert.fail('expected 415');
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 415);
      assert.equal(err.status.message.includes('strategic'), false);
      assert.match(
        err.status.message,
        /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/,
      );
    }
    assert.equal(
      apiErrorCode(() =>
        applyPatch(
          deployments,
          deployment(),
          '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}',
          'application/strategic-merge-patch+json',
        ),
      ),
      400,
    );
    assert.equal(
      apiErrorCode(() =>
        applyPatch(deployments, deployment(), '[]', 'application/strategic-merge-patch+json'),
      ),
      400,
    );
  });
});

describe('server-side apply', () => {
  const manifest = (image: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web', ...extra } },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
      },
    });
  it('creates when nothing exists and records the manager', () => {
    const out = applyPatch(deployments, undefined, manifest('nginx:1'), 'application/apply-patch+yaml', {
      fieldManager: 'kubectl',
    });
    assert.equal(podSpec(out).containers[0].image, 'nginx:1');
    const mf = out.metadata.managedFields as any[];
    assert.equal(mf.length, 1);
    assert.equal(mf[0].manager, 'kubectl');
    assert.equal(mf[0].operation, 'Apply');
    assert.ok(
      mf[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:image'],
    );
  });
  it('merges keyed lists into the live object and keeps fields it does not mention', () => {
    const yaml = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:9\n`;
    const out = applyPatch(deployments, deployment(), yaml, 'application/apply-patch+yaml', {
      fieldManager: 'm',
    });
    const web = podSpec(out).containers[0];
    assert.equal(web.image, 'nginx:9');
    assert.equal(web.ports.length, 2);
    assert.equal((out.spec as any).replicas, 2);
  });
  it('removes a field the same manager applied before and dropped now', () => {
    const first = applyPatch(
      deployments,
      undefined,
      manifest('nginx:1', { tier: 'x' }),
      'application/apply-patch+yaml',
      { fieldManager: 'kubectl' },
    );
    const second = applyPatch(deployments, first, manifest('nginx:1'), 'application/apply-patch+yaml', {
      fieldManager: 'kubectl',
    });
    assert.deepEqual(second.metadata.labels, { app: 'web' });
  });
  it('needs a field manager (422) and a decodable body (400)', () => {
    assert.equal(
      apiErrorCode(() => applyPatch(deployments, undefined, manifest('x'), 'application/apply-patch+yaml')),
      422,
    );
    assert.equal(
      apiErrorCode(() =>
        applyPatch(deployments, undefined, 'a: [b', 'application/apply-patch+yaml', { fieldManager: 'm' }),
      ),
      400,
    );
    assert.equal(
      apiErrorCode(() =>
        applyPatch(deployments, undefined, '- a', 'application/apply-patch+yaml', { fieldManager: 'm' }),
      ),
      400,
    );
    assert.equal(
      apiErrorCode(() =>
        applyPatch(
          deployments,
          undefined,
          'kind: Service\napiVersion: v1\n',
          'application/apply-patch+yaml',
          { fieldManager: 'm' },
        ),
      ),
      400,
    );
  });
});

describe('content types', () => {
  it('answers 415 with the accepted media types for an unknown one', () => {
    try {
      applyPatch(deployments, deployment(), '{}', 'application/json');
      assert.fail('expected 415');
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 415);
      assert.equal(err.status.reason, 'UnsupportedMediaType');
      assert.match(
        err.status.message,
        /^the body of the request was in an unknown format - accepted media types include: /,
      );
      assert.match(err.status.message, /application\/strategic-merge-patch\+json/);
    }
  });
});
