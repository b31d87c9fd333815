/* eslint-disable @typescript-eslint/no-explicit-any -- the tests build and inspect untyped JSON objects */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../resources.js';
import type { KubeObject } from '../../store/types.js';
import { pruneUnknownFields, validateObject, validationError } from './index.js';

const deployments = findResource('apps', 'deployments')!;
const services = findResource('', 'services')!;
const namespaces = findResource('', 'namespaces')!;
const leases = findResource('coordination.k8s.io', 'leases')!;
const configMaps = findResource('', 'configmaps')!;
const secrets = findResource('', 'secrets')!;
const pods = findResource('', 'pods')!;
const virtualServices = findResource('networking.istio.io', 'virtualservices')!;
const destinationRules = findResource('networking.istio.io', 'destinationrules')!;
const gateways = findResource('networking.istio.io', 'gateways')!;

function deployment(color = 'blue'): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `myapp-${color}`, labels: { app: 'myapp', color } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'myapp', color } },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: { app: 'myapp', color } },
        spec: {
          imagePullSecrets: [{ name: 'dockerhub' }],
          containers: [
            {
              name: 'myapp',
              image: 'demo/myapp:1',
              ports: [{ containerPort: 3000 }],
              readinessProbe: { httpGet: { path: '/ready', port: 3000 } },
              env: [{ name: 'NODE_ENV', value: 'production' }],
            },
          ],
        },
      },
    },
  };
}

const fields = (r: { causes: Array<{ field: string }> }) => r.causes.map((c) => c.field);

describe('validateObject: built-in kinds', () => {
  it('accepts the seed manifests', () => {
    assert.deepEqual(validateObject(deployments, deployment(), { fieldValidation: 'Strict' }), {
      causes: [],
      warnings: [],
    });
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'myapp', labels: { app: 'myapp' } },
      spec: { selector: { app: 'myapp' }, ports: [{ port: 3000, name: 'http' }] },
    };
    assert.deepEqual(validateObject(services, svc as KubeObject, { fieldValidation: 'Strict' }).causes, []);
  });
  it('rejects an invalid name with the real message', () => {
    const d = deployment();
    d.metadata.name = 'Foo';
    const [cause] = validateObject(deployments, d).causes;
    assert.equal(cause!.field, 'metadata.name');
    assert.equal(cause!.reason, 'FieldValueInvalid');
    assert.match(
      cause!.message,
      /^Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character \(e\.g\. 'example\.com', regex used/,
    );
    const err = validationError(deployments, d, validateObject(deployments, d).causes, 'create')!;
    assert.equal(err.code, 422);
    assert.match(
      err.status.message,
      /^Deployment\.apps "Foo" is invalid: metadata\.name: Invalid value: "Foo"/,
    );
  });
  it('uses the DNS label rule for namespaces and DNS-1035 for services', () => {
    assert.match(
      validateObject(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } })
        .causes[0]!.message,
      /RFC 1123 label/,
    );
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: '1abc' },
      spec: { ports: [{ port: 80 }] },
    };
    assert.match(validateObject(services, svc as KubeObject).causes[0]!.message, /DNS-1035 label/);
  });
  it('requires a selector that matches the template labels', () => {
    const d = deployment();
    d.spec.template.metadata.labels = { app: 'other' };
    const r = validateObject(deployments, d);
    assert.deepEqual(fields(r), ['spec.template.metadata.labels']);
    assert.equal(
      r.causes[0]!.message,
      'Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
    const noSelector = deployment();
    delete noSelector.spec.selector;
    assert.ok(fields(validateObject(deployments, noSelector)).includes('spec.selector'));
  });
  it('requires containers with a name and an image, and checks port ranges', () => {
    const d = deployment();
    d.spec.template.spec.containers = [{ ports: [{ containerPort: 70000 }] }];
    const r = validateObject(deployments, d);
    assert.deepEqual(fields(r).sort(), [
      'spec.template.spec.containers[0].image',
      'spec.template.spec.containers[0].name',
      'spec.template.spec.containers[0].ports[0].containerPort',
    ]);
    const empty = deployment();
    empty.spec.template.spec.containers = [];
    assert.deepEqual(fields(validateObject(deployments, empty)), ['spec.template.spec.containers']);
  });
  it('rejects a rollingUpdate block with the Recreate strategy', () => {
    const d = deployment();
    d.spec.strategy.rollingUpdate = { maxSurge: 1 };
    const r = validateObject(deployments, d);
    assert.equal(r.causes[0]!.message, "Forbidden: may not be specified when strategy `type` is 'Recreate'");
  });
  it('keeps the Deployment selector immutable on update', () => {
    const old = deployment();
    const d = deployment();
    d.spec.selector.matchLabels.tier = 'x';
    d.spec.template.metadata.labels.tier = 'x';
    const r = validateObject(deployments, d, { oldObject: old });
    assert.deepEqual(fields(r), ['spec.selector']);
    assert.match(
      r.causes[0]!.message,
      /^Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\{"app":"myapp", "color":"blue", "tier":"x"\}, MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: field is immutable$/,
    );
  });
  it('checks label keys and values', () => {
    const d = deployment();
    d.metadata.labels = { 'bad key': 'ok', good: 'bad value!' };
    const r = validateObject(deployments, d);
    assert.equal(r.causes.length, 2);
    assert.ok(r.causes.every((c) => c.field === 'metadata.labels'));
  });
  it('turns wrong JSON types into a 400 decode error like the real server', () => {
    const d = deployment();
    d.spec.replicas = 'two';
    const r = validateObject(deployments, d);
    assert.equal(r.causes[0]!.reason, 'BadRequest');
    const err = validationError(deployments, d, r.causes, 'create')!;
    assert.equal(err.code, 400);
    assert.equal(
      err.status.message,
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });
  it('reports unknown fields by fieldValidation mode and prunes them', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].bar = true;
    d.spec = { foo: 1, ...d.spec };
    const strict = validateObject(deployments, d, { fieldValidation: 'Strict' });
    assert.deepEqual(
      strict.causes.map((c) => c.message),
      ['unknown field "spec.foo"', 'unknown field "spec.template.spec.containers[0].bar"'],
    );
    const err = validationError(deployments, d, strict.causes, 'create')!;
    assert.equal(err.code, 400);
    assert.equal(
      err.status.message,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].bar"',
    );
    assert.equal(validationError(deployments, d, strict.causes, 'patch')!.code, 422);
    assert.deepEqual(validateObject(deployments, d, { fieldValidation: 'Warn' }), {
      causes: [],
      warnings: ['unknown field "spec.foo"', 'unknown field "spec.template.spec.containers[0].bar"'],
    });
    assert.deepEqual(validateObject(deployments, d, { fieldValidation: 'Ignore' }), {
      causes: [],
      warnings: [],
    });
    assert.deepEqual(pruneUnknownFields(deployments, d), [
      'spec.foo',
      'spec.template.spec.containers[0].bar',
    ]);
    assert.equal('foo' in d.spec, false);
  });
  it('wants Lease MicroTimes with exactly six fractional digits (400)', () => {
    const lease = (t: string) =>
      ({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'lock' },
        spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: t },
      }) as KubeObject;
    assert.deepEqual(validateObject(leases, lease('2026-01-01T00:00:00.123456Z')).causes, []);
    const r = validateObject(leases, lease('2026-01-01T00:00:00.123Z'));
    assert.equal(r.causes[0]!.reason, 'BadRequest');
    assert.equal(
      validationError(leases, lease('2026-01-01T00:00:00.123Z'), r.causes, 'update')!.status.message,
      'Lease in version "v1" cannot be handled as a Lease: parsing time "2026-01-01T00:00:00.123Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".123Z" as ".000000"',
    );
    const zero = { ...lease('2026-01-01T00:00:00.000000Z'), spec: { leaseDurationSeconds: 0 } } as KubeObject;
    assert.deepEqual(fields(validateObject(leases, zero)), ['spec.leaseDurationSeconds']);
  });
  it('checks Service ports and type', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { type: 'Weird', ports: [{ port: 0 }, { port: 80 }] },
    };
    assert.deepEqual(fields(validateObject(services, svc as KubeObject)).sort(), [
      'spec.ports[0].name',
      'spec.ports[0].port',
      'spec.ports[1].name',
      'spec.type',
    ]);
    const none = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} };
    assert.deepEqual(fields(validateObject(services, none as KubeObject)), ['spec.ports']);
  });
  it('checks ConfigMap and Secret keys and base64 data', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { 'bad key': 'x', ok: 'y' },
    };
    assert.deepEqual(fields(validateObject(configMaps, cm as KubeObject)), ['data[bad key]']);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'not base64!' } };
    const r = validateObject(secrets, secret as KubeObject);
    assert.equal(r.causes[0]!.reason, 'BadRequest');
    assert.match(r.causes[0]!.message, /^illegal base64 data at input byte \d+$/);
  });
  it('validates pods like templates, without the restartPolicy rule', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          { name: 'c', image: 'i' },
          { name: 'c', image: 'i' },
        ],
      },
    };
    assert.deepEqual(fields(validateObject(pods, pod as KubeObject)), ['spec.containers[1].name']);
  });
});

describe('validateObject: Istio custom resources', () => {
  const vs = (): any => ({
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'VirtualService',
    metadata: { name: 'myapp-blue-green' },
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
  });
  it('accepts the seed routes at every served version', () => {
    for (const v of ['v1', 'v1beta1', 'v1alpha3']) {
      assert.deepEqual(
        validateObject(
          virtualServices,
          { ...vs(), apiVersion: `networking.istio.io/${v}` },
          { fieldValidation: 'Strict' },
        ).causes,
        [],
      );
    }
    const dr = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'DestinationRule',
      metadata: { name: 'myapp-blue-green' },
      spec: { host: 'myapp', subsets: [{ name: 'blue', labels: { color: 'blue' } }] },
    };
    assert.deepEqual(
      validateObject(destinationRules, dr as KubeObject, { fieldValidation: 'Strict' }).causes,
      [],
    );
    const gw = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'Gateway',
      metadata: { name: 'myapp-gateway' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
      },
    };
    assert.deepEqual(validateObject(gateways, gw as KubeObject, { fieldValidation: 'Strict' }).causes, []);
  });
  it('knows the fields newer Istio releases added to routes and traffic policies', () => {
    const v = vs();
    v.spec.http[1].mirrors = [{ destination: { host: 'shadow' }, percentage: { value: 5 } }];
    assert.deepEqual(validateObject(virtualServices, v, { fieldValidation: 'Strict' }).causes, []);
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'd' },
      spec: {
        host: 'myapp',
        trafficPolicy: { proxyProtocol: { version: 'V1' } },
        subsets: [{ name: 'blue', labels: { color: 'blue' }, trafficPolicy: { proxyProtocol: {} } }],
      },
    };
    assert.deepEqual(
      validateObject(destinationRules, dr as KubeObject, { fieldValidation: 'Strict' }).causes,
      [],
    );
  });
  it('reports type errors as the CRD validator words them', () => {
    const v = vs();
    v.spec.hosts = '*';
    const [cause] = validateObject(virtualServices, v).causes;
    assert.deepEqual(cause, {
      reason: 'FieldValueTypeInvalid',
      message: 'Invalid value: "string": spec.hosts in body must be of type array: "string"',
      field: 'spec.hosts',
    });
    assert.equal(validationError(virtualServices, v, [cause!], 'create')!.code, 422);
  });
  it('finds unknown fields from the CRD schema', () => {
    const v = vs();
    v.spec.http[0].rout = [];
    assert.deepEqual(
      validateObject(virtualServices, v, { fieldValidation: 'Strict' }).causes.map((c) => c.message),
      ['unknown field "spec.http[0].rout"'],
    );
    const err = validationError(
      virtualServices,
      v,
      validateObject(virtualServices, v, { fieldValidation: 'Strict' }).causes,
      'apply',
    )!;
    assert.equal(err.status.message, '.spec.http[0].rout: field not declared in schema');
  });
});
