import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { deploymentColor, loadManifestTemplates, renderManifests } from './load-dir.js';

const SEED = new URL('../../examples/seed-manifests/', import.meta.url).pathname;
const VARS = {
  COLOR_ACTIVE: 'blue',
  COLOR_TEST: 'green',
  DOCKER_USERNAME: 'me',
  SEMAPHORE_WORKFLOW_ID: 'wf-1',
  DB_HOST: 'db',
  DB_PORT: '5432',
  DB_SCHEMA: 'app',
  DB_USER: 'u',
  DB_PASSWORD: 'p',
};

test("the seed's folder parses and lists its variables", async () => {
  const t = await loadManifestTemplates(SEED);
  assert.deepEqual(
    t.docs.map((d) => `${d.file}#${d.index} ${d.object.kind}`),
    [
      'deployment.yml#0 Deployment',
      'gateway.yml#0 Gateway',
      'route-test.yml#0 VirtualService',
      'route-test.yml#1 DestinationRule',
      'route.yml#0 VirtualService',
      'route.yml#1 DestinationRule',
      'service.yml#0 Service',
    ],
  );
  assert.deepEqual(t.variables, [
    'COLOR_ACTIVE',
    'COLOR_TEST',
    'DB_HOST',
    'DB_PASSWORD',
    'DB_PORT',
    'DB_SCHEMA',
    'DB_USER',
    'DOCKER_USERNAME',
    'SEMAPHORE_WORKFLOW_ID',
  ]);
});

test("the seed's folder renders and classifies: both VS files, the color's Deployment", async () => {
  const m = renderManifests(await loadManifestTemplates(SEED), VARS);
  assert.equal(m.deployments.length, 1);
  assert.equal(m.deployments[0]!.object.metadata.name, 'myapp-green');
  assert.equal(deploymentColor(m.deployments[0]!), 'green');
  const container = (
    m.deployments[0]!.object.spec as {
      template: {
        spec: { containers: Array<{ image: string; env: Array<{ name: string; value: unknown }> }> };
      };
    }
  ).template.spec.containers[0]!;
  assert.equal(container.image, 'me/myapp:wf-1');
  assert.equal(container.env.find((e) => e.name === 'DB_PORT')!.value, '5432', 'quoted stays a string');
  assert.deepEqual(
    m.services.map((d) => d.object.metadata.name),
    ['myapp'],
  );
  assert.deepEqual(
    m.gateways.map((d) => d.object.metadata.name),
    ['myapp-gateway'],
  );
  assert.deepEqual(
    m.virtualServices.map((v) => [v.file, v.object.metadata.name, v.hasTestRoute]),
    [
      ['route-test.yml', 'myapp-blue-green', true],
      ['route.yml', 'myapp-blue-green', false],
    ],
  );
  const testVs = m.virtualServices[0]!.object.spec as {
    http: Array<{
      match?: Array<{ headers: { cookie: { regex: string } } }>;
      route: Array<{ destination: { subset: string } }>;
    }>;
  };
  assert.equal(
    testVs.http[0]!.match![0]!.headers.cookie.regex,
    '^(.*?;)?(test=true)(;.*)?$',
    "the user's regex is kept as written",
  );
  assert.deepEqual(
    testVs.http.map((r) => r.route[0]!.destination.subset),
    ['green', 'blue'],
  );
  assert.equal(m.destinationRules.length, 2);
  assert.deepEqual(m.others, []);
});

test('unset variables: ONE InputError listing all of them with file and field', async () => {
  const t = await loadManifestTemplates(SEED);
  assert.throws(
    () => renderManifests(t, { COLOR_TEST: 'green' }),
    (e: InputError) => {
      assert.ok(e instanceof InputError);
      for (const n of [
        'COLOR_ACTIVE',
        'DB_HOST',
        'DB_PASSWORD',
        'DB_PORT',
        'DB_SCHEMA',
        'DB_USER',
        'DOCKER_USERNAME',
        'SEMAPHORE_WORKFLOW_ID',
      ])
        assert.match(e.message, new RegExp(`\\b${n}\\b`));
      assert.match(
        e.message,
        /COLOR_ACTIVE: used at route-test\.yml: spec\.http\[1\]\.route\[0\]\.destination\.subset, route\.yml: spec\.http\[0\]\.route\[0\]\.destination\.subset, route\.yml: spec\.subsets\[0\]\.name/,
      );
      assert.match(
        e.message,
        /DB_HOST: used at deployment\.yml: spec\.template\.spec\.containers\[0\]\.env\[1\]\.value/,
      );
      assert.doesNotMatch(e.message, /COLOR_TEST:/);
      assert.equal(e.field, 'spec.template.spec.containers[0].image');
      return true;
    },
  );
});

test('rendering a subset of files needs only their variables', async () => {
  const m = renderManifests(await loadManifestTemplates(SEED), { COLOR_TEST: 'blue' }, [
    'gateway.yml',
    'service.yml',
  ]);
  assert.equal(m.gateways.length + m.services.length, 2);
});

test('bad folders: invalid YAML, a non-object document, an empty folder — InputError naming the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-manifests-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(
    loadManifestTemplates(dir),
    (e: InputError) => e instanceof InputError && /no Kubernetes objects/.test(e.message),
  );
  await writeFile(join(dir, 'a.yml'), 'kind: Service\nmetadata: {name: x}\n');
  await assert.rejects(
    loadManifestTemplates(dir),
    (e: InputError) => e.file === 'a.yml' && e.field === 'apiVersion',
  );
  await writeFile(join(dir, 'a.yml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n bad: [\n');
  await assert.rejects(
    loadManifestTemplates(dir),
    (e: InputError) => e.file === 'a.yml' && /not valid YAML/.test(e.message),
  );
  await assert.rejects(
    loadManifestTemplates(join(dir, 'nope')),
    (e: InputError) => e instanceof InputError && /cannot read the manifest folder/.test(e.message),
  );
});
