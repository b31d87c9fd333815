import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computePodTemplateHash, templatesEqual } from './pod-template-hash.js';

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 80 }] }] },
};

test('the hash is 10 characters of the Kubernetes name alphabet, stable, and changes with the template', () => {
  const h = computePodTemplateHash(template);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  assert.equal(computePodTemplateHash(structuredClone(template)), h);
  const changed = structuredClone(template);
  changed.spec.containers[0]!.image = 'web:2';
  assert.notEqual(computePodTemplateHash(changed), h);
  assert.notEqual(computePodTemplateHash(template, 1), h, 'a collision count gives another name');
});

test('templates compare as Kubernetes does: hash label, nulls and empty values do not count', () => {
  const fromRs = {
    metadata: {
      ...template.metadata,
      labels: { ...template.metadata.labels, 'pod-template-hash': computePodTemplateHash(template) },
      creationTimestamp: null,
    },
    spec: { containers: [{ ...template.spec.containers[0]!, resources: {} }], volumes: [] },
  };
  assert.ok(templatesEqual(fromRs, template));
  assert.equal(computePodTemplateHash(fromRs), computePodTemplateHash(template));
  const other = { ...template, metadata: { labels: { ...template.metadata.labels, color: 'blue' } } };
  assert.ok(!templatesEqual(other, template));
});
