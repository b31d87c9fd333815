// Cost of one validateObject call (and of one strategic merge patch) for the objects the local
// cluster writes most: a Deployment like the seed's, a Lease renewal, an Istio VirtualService.
//   node --import tsx bench/validation.ts
import { applyPatch } from '../src/local/apiserver/patch/index.js';
import { validateObject } from '../src/local/apiserver/validation/index.js';
import { findResource, type ResourceType } from '../src/local/resources.js';
import type { KubeObject } from '../src/local/store/types.js';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'myapp-blue', namespace: 'default', labels: { app: 'myapp', color: 'blue' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'myapp', color: 'blue' } },
    strategy: { type: 'Recreate' },
    template: {
      metadata: { labels: { app: 'myapp', color: 'blue' } },
      spec: {
        imagePullSecrets: [{ name: 'dockerhub' }],
        containers: [
          {
            name: 'myapp',
            image: 'demo/myapp:1',
            ports: [{ containerPort: 3000 }],
            readinessProbe: { httpGet: { path: '/ready', port: 3000 } },
            env: ['NODE_ENV', 'DB_HOST', 'DB_PORT', 'DB_SCHEMA', 'DB_USER', 'DB_PASSWORD'].map((name) => ({
              name,
              value: 'x',
            })),
          },
        ],
      },
    },
  },
};
const lease: KubeObject = {
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'myapp-release', namespace: 'default', resourceVersion: '12' },
  spec: {
    holderIdentity: 'ci-4711',
    leaseDurationSeconds: 30,
    acquireTime: '2026-01-01T00:00:00.000000Z',
    renewTime: '2026-01-01T00:00:10.123456Z',
  },
};
const virtualService: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'myapp-blue-green', namespace: 'default' },
  spec: {
    hosts: ['*'],
    gateways: ['myapp-gateway'],
    http: [
      {
        name: 'myapp-test',
        match: [{ headers: { cookie: { regex: '^(.*?;)?(test=true)(;.*)?$' } } }],
        route: [{ destination: { host: 'myapp', subset: 'green' } }],
      },
      { name: 'myapp-default', route: [{ destination: { host: 'myapp', subset: 'blue' } }] },
    ],
  },
};

function measure(label: string, iterations: number, fn: () => unknown): void {
  for (let i = 0; i < 2000; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const micros = Number(process.hrtime.bigint() - start) / iterations / 1000;
  console.log(
    `${label.padEnd(44)} ${micros.toFixed(1).padStart(7)} µs/op  ${Math.round(1e6 / micros)
      .toLocaleString('en-US')
      .padStart(9)} op/s`,
  );
}

const r = (group: string, resource: string): ResourceType => findResource(group, resource)!;
const started = process.hrtime.bigint();
validateObject(r('apps', 'deployments'), deployment);
validateObject(r('networking.istio.io', 'virtualservices'), virtualService);
console.log(
  `first calls (load + compile schemas): ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`,
);

measure('validateObject Deployment (Strict)', 50000, () =>
  validateObject(r('apps', 'deployments'), deployment, { fieldValidation: 'Strict' }),
);
measure('validateObject Deployment update (old set)', 50000, () =>
  validateObject(r('apps', 'deployments'), deployment, { oldObject: deployment }),
);
measure('validateObject Lease (MicroTime)', 50000, () =>
  validateObject(r('coordination.k8s.io', 'leases'), lease),
);
measure('validateObject VirtualService (CRD schema)', 50000, () =>
  validateObject(r('networking.istio.io', 'virtualservices'), virtualService, { fieldValidation: 'Strict' }),
);
const smp = JSON.stringify({
  spec: {
    template: {
      spec: {
        '$setElementOrder/containers': [{ name: 'myapp' }],
        containers: [{ name: 'myapp', image: 'demo/myapp:2' }],
      },
    },
  },
});
measure('applyPatch strategic (image change)', 50000, () =>
  applyPatch(r('apps', 'deployments'), deployment, smp, 'application/strategic-merge-patch+json'),
);
measure('applyPatch merge (Lease renew)', 50000, () =>
  applyPatch(
    r('coordination.k8s.io', 'leases'),
    lease,
    '{"spec":{"renewTime":"2026-01-01T00:00:20.000000Z"}}',
    'application/merge-patch+json',
  ),
);
