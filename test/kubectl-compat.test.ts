// The local API server driven by the real kubectl at 1.27, 1.30 and 1.33: the seed's manifests
// applied, re-applied and updated, then get (table, json, yaml, wide, jsonpath), describe,
// label, annotate, patch (merge, json, strategic), server-side apply, get --watch and delete.
// Every successful command must leave stderr empty: a real cluster prints no warnings here.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';
import { Kubectl, type KubectlResult } from './helpers/kubectl.js';
import { seedManifests, substitute } from './helpers/seed-manifests.js';

const VERSIONS = ['1.27', '1.30', '1.33'];

const VALUES = {
  COLOR_ACTIVE: 'blue',
  COLOR_TEST: 'green',
  DOCKER_USERNAME: 'demo',
  SEMAPHORE_WORKFLOW_ID: 'wf-1',
  DB_HOST: '127.0.0.1',
  DB_PORT: '5432',
  DB_SCHEMA: 'demo',
  DB_USER: 'demo',
  DB_PASSWORD: 'not-a-real-password',
};

/** A successful command: exit 0, the expected stdout, nothing on stderr. */
function succeeded(r: KubectlResult, stdout?: RegExp | string): string {
  assert.equal(r.stderr, '', `unexpected stderr: ${r.stderr}`);
  assert.equal(r.code, 0, `exit ${r.code}; stdout: ${r.stdout}`);
  if (typeof stdout === 'string') assert.equal(r.stdout, stdout);
  else if (stdout) assert.match(r.stdout, stdout);
  return r.stdout;
}

function failed(r: KubectlResult, stderr: RegExp): void {
  assert.equal(r.code, 1, `expected exit 1, got ${r.code}; stdout: ${r.stdout}`);
  assert.match(r.stderr, stderr);
}

describe('kubectl compatibility', { concurrency: true }, () => {
  // Versions run side by side; the steps within one version run in order.
  for (const version of VERSIONS)
    describe(`kubectl ${version}`, { concurrency: 1 }, () => compatibilitySuite(version));
});

function compatibilitySuite(version: string): void {
  let server: TestApiServer;
  let work: string;
  let kubectl: Kubectl;
  const file = (name: string) => join(work, name);
  const k = (...args: string[]) => kubectl.run(args);

  before(async () => {
    server = await startTestApiServer();
    work = await mkdtemp(join(tmpdir(), `cutover-kubectl-${version}-`));
    kubectl = new Kubectl({
      version,
      kubeconfigPath: server.kubeconfigPath,
      cacheDir: join(work, 'cache'),
      home: work,
    });
    for (const [name, text] of Object.entries(seedManifests()))
      await writeFile(file(name), substitute(text, VALUES));
  });
  after(async () => {
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('apply -f creates the seed manifests, then leaves them unchanged', async () => {
    const args = [
      'apply',
      '-f',
      file('service.yml'),
      '-f',
      file('deployment.yml'),
      '-f',
      file('gateway.yml'),
      '-f',
      file('route.yml'),
    ];
    const names = [
      'service/myapp',
      'deployment.apps/myapp-green',
      'gateway.networking.istio.io/myapp-gateway',
      'virtualservice.networking.istio.io/myapp-blue-green',
      'destinationrule.networking.istio.io/myapp-blue-green',
    ];
    succeeded(await k(...args), names.map((n) => `${n} created\n`).join(''));
    succeeded(await k(...args), names.map((n) => `${n} unchanged\n`).join(''));
  });

  it("create secret docker-registry (the seed's one-time setup) and create configmap", async () => {
    const secretArgs = [
      'create',
      'secret',
      'docker-registry',
      'dockerhub',
      '--docker-server=docker.io',
      '--docker-username=demo',
      '--docker-password=throwaway',
    ];
    succeeded(await k(...secretArgs), 'secret/dockerhub created\n');
    succeeded(
      await k('get', 'secret', 'dockerhub'),
      /^NAME\s+TYPE\s+DATA\s+AGE\ndockerhub\s+kubernetes\.io\/dockerconfigjson\s+1\s+\d+s\n$/,
    );
    failed(await k(...secretArgs), /^error: failed to create secret secrets "dockerhub" already exists\n$/);
    succeeded(
      await k('create', 'configmap', 'settings', '--from-literal=a=1', '--from-literal=b=2'),
      'configmap/settings created\n',
    );
    succeeded(await k('get', 'configmap', 'settings', '-o', 'jsonpath={.data}'), '{"a":"1","b":"2"}');
  });

  it('apply -f of changed manifests says configured and keeps what the change does not touch', async () => {
    await writeFile(
      file('deployment.yml'),
      substitute(seedManifests()['deployment.yml'], { ...VALUES, SEMAPHORE_WORKFLOW_ID: 'wf-2' }),
    );
    const out = succeeded(await k('apply', '-f', file('deployment.yml'), '-f', file('route-test.yml')));
    assert.equal(
      out,
      'deployment.apps/myapp-green configured\nvirtualservice.networking.istio.io/myapp-blue-green configured\ndestinationrule.networking.istio.io/myapp-blue-green configured\n',
    );
    const deployment = JSON.parse(succeeded(await k('get', 'deployment', 'myapp-green', '-o', 'json')));
    const container = deployment.spec.template.spec.containers[0];
    assert.equal(container.image, 'demo/myapp:wf-2');
    assert.deepEqual(container.ports, [{ containerPort: 3000, protocol: 'TCP' }]);
    assert.equal(container.env.length, 6);
    assert.equal(container.readinessProbe.httpGet.path, '/ready');
    assert.equal(deployment.metadata.generation, 2);
    const vs = JSON.parse(succeeded(await k('get', 'virtualservice', 'myapp-blue-green', '-o', 'json')));
    assert.deepEqual(
      vs.spec.http.map((r: { name: string }) => r.name),
      ['myapp-test', 'myapp-default'],
    );
    const dr = JSON.parse(succeeded(await k('get', 'destinationrule', 'myapp-blue-green', '-o', 'json')));
    assert.deepEqual(
      dr.spec.subsets.map((s: { name: string }) => s.name),
      ['blue', 'green'],
    );
  });

  it('get prints the tables kubectl prints against a real cluster', async () => {
    const deployments = succeeded(await k('get', 'deployments'));
    assert.match(
      deployments,
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nmyapp-green\s+0\/1\s+0\s+0\s+\d+s\n$/,
    );
    const wide = succeeded(await k('get', 'deployment', 'myapp-green', '-o', 'wide'));
    assert.match(
      wide,
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nmyapp-green\s+0\/1\s+0\s+0\s+\d+s\s+myapp\s+demo\/myapp:wf-2\s+app=myapp,color=green\n$/,
    );
    assert.match(
      succeeded(await k('get', 'virtualservices')),
      /^NAME\s+GATEWAYS\s+HOSTS\s+AGE\nmyapp-blue-green\s+\["myapp-gateway"\]\s+\["\*"\]\s+\d+s\n$/,
    );
    assert.match(succeeded(await k('get', 'dr')), /^NAME\s+HOST\s+AGE\nmyapp-blue-green\s+myapp\s+\d+s\n$/);
    assert.match(succeeded(await k('get', 'gw')), /^NAME\s+AGE\nmyapp-gateway\s+\d+s\n$/);
    assert.match(
      succeeded(await k('get', 'svc', 'myapp')),
      /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nmyapp\s+ClusterIP\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+3000\/TCP\s+\d+s\n$/,
    );
    const all = succeeded(await k('get', 'all', '-A'));
    assert.match(all, /^NAMESPACE\s+NAME\s+TYPE/m);
    assert.match(all, /^default\s+deployment\.apps\/myapp-green\s+0\/1/m);
    assert.match(succeeded(await k('get', 'namespaces')), /^default\s+Active\s+\d+s$/m);
  });

  it('get -o json, -o yaml and the seed pipeline jsonpath queries', async () => {
    const list = JSON.parse(succeeded(await k('get', 'deployments', '-o', 'json')));
    assert.equal(list.kind, 'List');
    assert.deepEqual(
      list.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ['myapp-green'],
    );
    const doc = parse(succeeded(await k('get', 'service', 'myapp', '-o', 'yaml')));
    assert.equal(doc.kind, 'Service');
    assert.deepEqual(doc.spec.ports[0], { name: 'http', port: 3000, protocol: 'TCP', targetPort: 3000 });
    succeeded(
      await k('get', 'deployments', '-l', 'app=myapp,color=green', '-o=jsonpath={.items..metadata.name}'),
      'myapp-green',
    );
    succeeded(
      await k(
        'get',
        'virtualservice',
        'myapp-blue-green',
        '-o',
        'jsonpath={.spec.http[-1].route[0].destination.subset}',
      ),
      'blue',
    );
    succeeded(await k('get', 'deployments', '-l', 'color=blue', '-o', 'name'), '');
  });

  it('describe renders built-in and Istio objects', async () => {
    const deployment = succeeded(await k('describe', 'deployment', 'myapp-green'));
    assert.match(deployment, /^Name:\s+myapp-green$/m);
    assert.match(deployment, /^Selector:\s+app=myapp,color=green$/m);
    assert.match(deployment, /^StrategyType:\s+Recreate$/m);
    assert.match(deployment, /Image:\s+demo\/myapp:wf-2/);
    assert.match(deployment, /DB_PASSWORD:\s+not-a-real-password/);
    // The probe as the API server defaults it (scheme HTTP, timings), and no service account on a
    // template: only Pods get one.
    assert.match(
      deployment,
      /^ +Readiness: +http-get http:\/\/:3000\/ready delay=0s timeout=1s period=10s #success=1 #failure=3$/m,
    );
    assert.doesNotMatch(deployment, /Service Account/);
    const vs = succeeded(await k('describe', 'virtualservice', 'myapp-blue-green'));
    assert.match(vs, /^Kind:\s+VirtualService$/m);
    assert.match(vs, /Subset:\s+green/);
  });

  it('label and annotate, with the real refusal to overwrite', async () => {
    succeeded(
      await k('label', 'deployment', 'myapp-green', 'workflow=wf-2'),
      'deployment.apps/myapp-green labeled\n',
    );
    failed(
      await k('label', 'deployment', 'myapp-green', 'workflow=wf-3'),
      /^error: 'workflow' already has a value \(wf-2\), and --overwrite is false\n$/,
    );
    succeeded(
      await k('label', 'deployment', 'myapp-green', 'workflow=wf-3', '--overwrite'),
      'deployment.apps/myapp-green labeled\n',
    );
    succeeded(
      await k(
        'get',
        'deployments',
        '-l',
        'app=myapp,color=green,workflow=wf-3',
        '-o=jsonpath={.items..metadata.name}',
      ),
      'myapp-green',
    );
    succeeded(
      await k('label', 'deployment', 'myapp-green', 'workflow-'),
      'deployment.apps/myapp-green unlabeled\n',
    );
    // kubectl 1.27 itself prints "annotate" (fixed in later releases); the server's answer is the same.
    succeeded(
      await k('annotate', 'virtualservice', 'myapp-blue-green', 'cutover.dev/release=v1.2'),
      /^virtualservice\.networking\.istio\.io\/myapp-blue-green annotated?\n$/,
    );
    succeeded(
      await k(
        'get',
        'vs',
        'myapp-blue-green',
        '-o',
        'jsonpath={.metadata.annotations.cutover\\.dev/release}',
      ),
      'v1.2',
    );
  });

  it('patch --type merge|json|strategic as a real server answers them', async () => {
    succeeded(
      await k('patch', 'deployment', 'myapp-green', '--type', 'merge', '-p', '{"spec":{"replicas":2}}'),
      'deployment.apps/myapp-green patched\n',
    );
    succeeded(
      await k('patch', 'deployment', 'myapp-green', '--type', 'merge', '-p', '{"spec":{"replicas":2}}'),
      'deployment.apps/myapp-green patched (no change)\n',
    );
    succeeded(
      await k(
        'patch',
        'deployment',
        'myapp-green',
        '--type',
        'json',
        '-p',
        '[{"op":"replace","path":"/spec/replicas","value":3}]',
      ),
      'deployment.apps/myapp-green patched\n',
    );
    failed(
      await k(
        'patch',
        'deployment',
        'myapp-green',
        '--type',
        'json',
        '-p',
        '[{"op":"test","path":"/spec/replicas","value":9}]',
      ),
      /^The request is invalid: the server rejected our request due to an error in our request\n$/,
    );
    succeeded(
      await k(
        'patch',
        'deployment',
        'myapp-green',
        '--type',
        'strategic',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"myapp","image":"demo/myapp:wf-3"}]}}}}',
      ),
      'deployment.apps/myapp-green patched\n',
    );
    const container = JSON.parse(
      succeeded(
        await k('get', 'deployment', 'myapp-green', '-o', 'jsonpath={.spec.template.spec.containers[0]}'),
      ),
    );
    assert.equal(container.image, 'demo/myapp:wf-3');
    assert.deepEqual(container.ports, [{ containerPort: 3000, protocol: 'TCP' }]);
    succeeded(
      await k(
        'patch',
        'virtualservice',
        'myapp-blue-green',
        '--type',
        'merge',
        '-p',
        '{"spec":{"http":[{"name":"myapp-default","route":[{"destination":{"host":"myapp","subset":"green"}}]}]}}',
      ),
      'virtualservice.networking.istio.io/myapp-blue-green patched\n',
    );
    failed(
      await k(
        'patch',
        'virtualservice',
        'myapp-blue-green',
        '--type',
        'strategic',
        '-p',
        '{"spec":{"hosts":["a"]}}',
      ),
      /^error: application\/strategic-merge-patch\+json is not supported by networking\.istio\.io\/v1, Kind=VirtualService: the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml\n$/,
    );
  });

  it('apply --server-side creates, updates and drops fields the manager stopped applying', async () => {
    const cm = (data: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release-history\ndata:\n${data}`;
    await writeFile(file('cm.yml'), cm('  a: "1"\n  b: "2"\n'));
    succeeded(
      await k('apply', '--server-side', '-f', file('cm.yml')),
      'configmap/release-history serverside-applied\n',
    );
    await writeFile(file('cm.yml'), cm('  a: "1"\n  c: "3"\n'));
    succeeded(
      await k('apply', '--server-side', '-f', file('cm.yml')),
      'configmap/release-history serverside-applied\n',
    );
    succeeded(await k('get', 'configmap', 'release-history', '-o', 'jsonpath={.data}'), '{"a":"1","c":"3"}');
    succeeded(
      await k('apply', '--server-side', '-f', file('gateway.yml')),
      'gateway.networking.istio.io/myapp-gateway serverside-applied\n',
    );
    succeeded(await k('get', 'configmaps'), /^release-history\s+2\s+\d+s$/m);
  });

  it('get --watch prints the change as it happens', async () => {
    const watch = kubectl.spawn(['get', 'deployment', 'myapp-green', '--watch']);
    const vsWatch = kubectl.spawn([
      'get',
      'virtualservices',
      '--watch',
      '-o',
      'jsonpath={.metadata.name} {.metadata.labels.stage}{"\\n"}',
    ]);
    try {
      await watch.waitFor(/^myapp-green\s+0\/3\s/m);
      await vsWatch.waitFor(/^myapp-blue-green \n/m);
      succeeded(
        await k('scale', 'deployment', 'myapp-green', '--replicas=4'),
        'deployment.apps/myapp-green scaled\n',
      );
      succeeded(
        await k('label', 'vs', 'myapp-blue-green', 'stage=tested'),
        'virtualservice.networking.istio.io/myapp-blue-green labeled\n',
      );
      await watch.waitFor(/^myapp-green\s+0\/4\s/m);
      await vsWatch.waitFor(/^myapp-blue-green tested$/m);
    } finally {
      await watch.stop();
      await vsWatch.stop();
    }
    assert.equal(watch.output().stderr, '');
    assert.equal(vsWatch.output().stderr, '');
  });

  it('rejects invalid objects with the real messages', async () => {
    const bad = (name: string, extra = '', labels = 'app: web') =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    matchLabels: {app: web}\n${extra}  template:\n    metadata:\n      labels: {${labels}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n`;
    await writeFile(file('bad.yml'), bad('Bad'));
    failed(
      await k('apply', '-f', file('bad.yml')),
      /^The Deployment "Bad" is invalid: metadata\.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain must consist of/,
    );
    await writeFile(file('bad.yml'), bad('bad', '', 'app: other'));
    failed(
      await k('apply', '-f', file('bad.yml')),
      /^The Deployment "bad" is invalid: spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"other"\}: `selector` does not match template `labels`\n$/,
    );
    await writeFile(file('bad.yml'), bad('bad', '  foo: 1\n'));
    failed(
      await k('apply', '-f', file('bad.yml')),
      /^Error from server \(BadRequest\): error when creating ".*bad\.yml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.foo"\n$/,
    );
    failed(
      await k('get', 'deployment', 'bad'),
      /^Error from server \(NotFound\): deployments\.apps "bad" not found\n$/,
    );
  });

  it('delete removes objects, and get then reports NotFound', async () => {
    succeeded(
      await k('delete', '-f', file('route-test.yml')),
      'virtualservice.networking.istio.io "myapp-blue-green" deleted\ndestinationrule.networking.istio.io "myapp-blue-green" deleted\n',
    );
    succeeded(await k('delete', 'deployment', 'myapp-green'), 'deployment.apps "myapp-green" deleted\n');
    failed(
      await k('get', 'deployment', 'myapp-green'),
      /^Error from server \(NotFound\): deployments\.apps "myapp-green" not found\n$/,
    );
    for (const resource of ['deployments', 'virtualservices']) {
      const listed = await k('get', resource);
      assert.equal(listed.code, 0);
      assert.equal(listed.stdout, '');
      assert.equal(listed.stderr, 'No resources found in default namespace.\n');
    }
  });
}
