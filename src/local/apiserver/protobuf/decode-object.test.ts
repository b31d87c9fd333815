import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufDecodeError, decodeProtobufObject } from './decode-object.js';

// Bodies captured from kubectl 1.33 (`create secret docker-registry`, `create configmap`,
// `create namespace`, `create secret generic`), with throwaway values.
const KUBECTL_BODIES = {
  dockerRegistrySecret:
    'azhzAAoMCgJ2MRIGU2VjcmV0EpsBCh0KDWRvY2tlcmh1YjEuMzMSABoAIgAqADIAOABCABJaChEuZG9ja2VyY29uZmlnanNvbhJFeyJhdXRocyI6eyJkb2NrZXIuaW8iOnsidXNlcm5hbWUiOiJ1IiwicGFzc3dvcmQiOiJwIiwiYXV0aCI6ImRUcHcifX19Gh5rdWJlcm5ldGVzLmlvL2RvY2tlcmNvbmZpZ2pzb24aACIA',
  configMap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEikKFQoFYzEuMzMSABoAIgAqADIAOABCABIGCgFhEgFiEggKAmsyEgJ2MhoAIgA=',
  namespace: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEh0KFQoFbnMxMzMSABoAIgAqADIAOABCABIAGgIKABoAIgA=',
  genericSecret:
    'azhzAAoMCgJ2MRIGU2VjcmV0Ei0KFQoFZzEuMzMSABoAIgAqADIAOABCABISCghwYXNzd29yZBIGczNjcjN0GgAaACIA',
};

const decode = (b64: string) => decodeProtobufObject(Buffer.from(b64, 'base64'));

describe('decodeProtobufObject', () => {
  it('decodes the secrets, config maps and namespaces kubectl create sends', () => {
    const secret = decode(KUBECTL_BODIES.dockerRegistrySecret)!;
    assert.equal(secret.kind, 'Secret');
    assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
    assert.deepEqual(secret.metadata, { name: 'dockerhub1.33' });
    const config = JSON.parse(
      Buffer.from((secret.data as Record<string, string>)['.dockerconfigjson']!, 'base64').toString(),
    );
    assert.deepEqual(Object.keys(config.auths), ['docker.io']);
    assert.deepEqual(decode(KUBECTL_BODIES.configMap), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c1.33' },
      data: { a: 'b', k2: 'v2' },
    });
    assert.deepEqual(decode(KUBECTL_BODIES.namespace), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'ns133' },
    });
    assert.deepEqual(decode(KUBECTL_BODIES.genericSecret), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'g1.33' },
      data: { password: Buffer.from('s3cr3t').toString('base64') },
    });
  });
  it('leaves other kinds undecoded and rejects bodies that are not protobuf', () => {
    const other = Buffer.concat([
      Buffer.from('k8s\0'),
      Buffer.from([0x0a, 0x0d, 0x0a, 0x07, ...Buffer.from('apps/v1'), 0x12, 0x02, ...Buffer.from('Xy')]),
    ]);
    assert.equal(decodeProtobufObject(other), undefined);
    assert.throws(() => decodeProtobufObject(Buffer.from('{}')), ProtobufDecodeError);
    assert.throws(
      () => decodeProtobufObject(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff])),
      ProtobufDecodeError,
    );
  });
});
