// What the real kubectl shows of the seed's Deployment and its pods, with the controllers
// running: the defaults the API server fills in (probes, containers, pod specs, the service
// account on Pods only) as `describe` prints them, and Table rows that carry what includeObject
// asks for, which `get --sort-by` sorts on.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControllers, type Controllers } from '../src/local/controllers/index.js';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';
import { findResource } from '../src/local/resources.js';
import { Kubectl, type KubectlResult } from './helpers/kubectl.js';
import { seedManifests, substitute } from './helpers/seed-manifests.js';

// Replies are checked field by field, so they are typed loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const VERSIONS = ['1.27', '1.33'];
const REPLICAS = 3;
const READINESS = 'http-get http://:3000/ready delay=0s timeout=1s period=10s #success=1 #failure=3';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

const VALUES = {
  COLOR_TEST: 'green',
  DOCKER_USERNAME: 'demo',
  SEMAPHORE_WORKFLOW_ID: 'wf-1',
  DB_HOST: '127.0.0.1',
  DB_PORT: '5432',
  DB_SCHEMA: 'demo',
  DB_USER: 'demo',
  DB_PASSWORD: 'not-a-real-password',
};

// A bare Pod and a ReplicaSet, each with probes and hooks that leave every defaulted field out.
const EXTRA = `apiVersion: v1
kind: Pod
metadata: {name: bare}
spec:
  containers:
  - name: web
    image: registry.local:5000/web
    livenessProbe: {httpGet: {port: 8080}}
    lifecycle: {preStop: {httpGet: {port: 8080, path: /stop}}}
    resources: {limits: {cpu: 100m}}
  - name: side
    image: demo/side:latest
    startupProbe: {tcpSocket: {port: 9000}, periodSeconds: 2}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: plain}
spec:
  replicas: 0
  selector: {matchLabels: {app: plain}}
  template:
    metadata: {labels: {app: plain}}
    spec:
      serviceAccount: builder
      containers:
      - name: web
        image: demo/web@sha256:${'a'.repeat(64)}
        readinessProbe: {httpGet: {port: 80, scheme: HTTPS}, timeoutSeconds: 5}
`;

function succeeded(r: KubectlResult): string {
  assert.equal(r.stderr, '', `unexpected stderr: ${r.stderr}`);
  assert.equal(r.code, 0, `exit ${r.code}; stdout: ${r.stdout}`);
  return r.stdout;
}

/** Polls a condition on in-process state until it holds or the deadline passes. */
async function waitUntil(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The NAME column of a kubectl table (the first column, or the last one of `get events -o wide`). */
function names(table: string, column: 'first' | 'last' = 'first'): string[] {
  const lines = table.trimEnd().split('\n').slice(1);
  return lines.map((l) => {
    const cells = l.trim().split(/\s+/);
    return column === 'first' ? cells[0]! : cells[cells.length - 1]!;
  });
}

let server: TestApiServer;
let controllers: Controllers;
let work: string;

before(async () => {
  server = await startTestApiServer();
  controllers = startControllers({ store: server.store });
  work = await mkdtemp(join(tmpdir(), 'cutover-describe-'));
  const deployment = substitute(seedManifests()['deployment.yml'], VALUES).replace(
    'replicas: 1',
    `replicas: ${REPLICAS}`,
  );
  await writeFile(join(work, 'deployment.yml'), deployment);
  await writeFile(join(work, 'extra.yml'), EXTRA);
  const k = kubectlFor('1.33');
  succeeded(await k.run(['apply', '-f', join(work, 'deployment.yml'), '-f', join(work, 'extra.yml')]));
  const pods = findResource('', 'pods')!;
  await waitUntil(
    `${REPLICAS} pods of myapp-green`,
    () =>
      server.store.list(pods).items.filter((p) => p.metadata.name.startsWith('myapp-green-')).length ===
      REPLICAS,
  );
});

after(async () => {
  await controllers?.stop();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function kubectlFor(version: string): Kubectl {
  return new Kubectl({
    version,
    kubeconfigPath: server.kubeconfigPath,
    cacheDir: join(work, `cache-${version}`),
    home: join(work, `home-${version}`),
  });
}

describe('defaults the API server fills in', () => {
  it('pod templates get probe, HTTP and container defaults but no service account', async () => {
    const k = kubectlFor('1.33');
    const deployment: Json = JSON.parse(
      succeeded(await k.run(['get', 'deployment', 'myapp-green', '-o', 'json'])),
    );
    const spec = deployment.spec.template.spec;
    assert.deepEqual(spec.containers[0].readinessProbe, {
      httpGet: { path: '/ready', port: 3000, scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.equal(spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(spec.containers[0].terminationMessagePath, '/dev/termination-log');
    assert.equal(spec.containers[0].terminationMessagePolicy, 'File');
    for (const podOnly of ['serviceAccountName', 'serviceAccount', 'enableServiceLinks'])
      assert.equal(spec[podOnly], undefined, `${podOnly} on a Deployment's template`);
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.schedulerName, 'default-scheduler');

    const rs: Json = JSON.parse(succeeded(await k.run(['get', 'replicaset', 'plain', '-o', 'json'])));
    const rsSpec = rs.spec.template.spec;
    assert.deepEqual(rsSpec.containers[0].readinessProbe, {
      httpGet: { path: '/', port: 80, scheme: 'HTTPS' },
      timeoutSeconds: 5,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.equal(rsSpec.containers[0].imagePullPolicy, 'IfNotPresent', 'a digest without a tag');
    assert.equal(rsSpec.serviceAccountName, 'builder', 'the deprecated field is read into the new one');
    assert.equal(rsSpec.serviceAccount, 'builder');
    assert.equal(rsSpec.enableServiceLinks, undefined);
  });

  it('Pods get the template defaults plus the service account and Pod-only defaults', async () => {
    const k = kubectlFor('1.33');
    const bare: Json = JSON.parse(succeeded(await k.run(['get', 'pod', 'bare', '-o', 'json'])));
    const [web, side] = bare.spec.containers;
    assert.equal(bare.spec.serviceAccountName, 'default');
    assert.equal(bare.spec.serviceAccount, 'default');
    assert.equal(bare.spec.enableServiceLinks, true);
    assert.deepEqual(web.livenessProbe.httpGet, { path: '/', port: 8080, scheme: 'HTTP' });
    assert.deepEqual(web.lifecycle.preStop.httpGet, { path: '/stop', port: 8080, scheme: 'HTTP' });
    assert.equal(web.imagePullPolicy, 'Always', 'no tag means latest, whatever the registry port');
    assert.deepEqual(web.resources.requests, { cpu: '100m' });
    assert.equal(side.imagePullPolicy, 'Always');
    assert.deepEqual(side.startupProbe, {
      tcpSocket: { port: 9000 },
      timeoutSeconds: 1,
      periodSeconds: 2,
      successThreshold: 1,
      failureThreshold: 3,
    });

    const pods: Json = JSON.parse(succeeded(await k.run(['get', 'pods', '-l', 'app=myapp', '-o', 'json'])));
    assert.equal(pods.items.length, REPLICAS);
    for (const pod of pods.items) {
      assert.equal(pod.spec.serviceAccountName, 'default');
      assert.equal(pod.spec.containers[0].readinessProbe.httpGet.scheme, 'HTTP');
    }
  });

  for (const version of VERSIONS) {
    it(`kubectl ${version} describe shows the probe as a real cluster does, and no template service account`, async () => {
      const k = kubectlFor(version);
      const deployment = succeeded(await k.run(['describe', 'deployment', 'myapp-green']));
      assert.match(deployment, new RegExp(`^ +Readiness: +${escape(READINESS)}$`, 'm'));
      assert.doesNotMatch(deployment, /Service Account/);
      const pod = succeeded(await k.run(['describe', 'pods', '-l', 'app=myapp']));
      assert.equal(pod.match(new RegExp(`^ +Readiness: +${escape(READINESS)}$`, 'gm'))?.length, REPLICAS);
      assert.equal(pod.match(/^Service Account: +default$/gm)?.length, REPLICAS);
    });
  }
});

describe('Table rows carry what includeObject asks for', () => {
  for (const version of VERSIONS) {
    it(`kubectl ${version} get --sort-by sorts pods and events`, async () => {
      const k = kubectlFor(version);
      const podList: Json = JSON.parse(succeeded(await k.run(['get', 'pods', '-o', 'json'])));
      const podNames: string[] = podList.items.map((p: Json) => p.metadata.name);
      // Which order kubectl gives equal-looking names is its business (1.27 sorts them
      // "naturally", digits as numbers); the server's part is that every row comes with its object.
      const byName = succeeded(await k.run(['get', 'pods', '--sort-by=.metadata.name']));
      assert.deepEqual(names(byName).sort(), [...podNames].sort());

      const plain = succeeded(await k.run(['get', 'events']));
      const events: Json[] = JSON.parse(succeeded(await k.run(['get', 'events', '-o', 'json']))).items;
      assert.ok(events.some((e) => e.reason === 'ScalingReplicaSet'));
      assert.ok(events.some((e) => e.reason === 'SuccessfulCreate'));
      const sorted = succeeded(await k.run(['get', 'events', '--sort-by=.lastTimestamp', '-o', 'wide']));
      const sortedNames = names(sorted, 'last');
      assert.deepEqual([...sortedNames].sort(), events.map((e) => e.metadata.name).sort());
      assert.equal(names(plain).length, events.length);
      const lastSeen = new Map(events.map((e) => [e.metadata.name, Date.parse(e.lastTimestamp)]));
      const times = sortedNames.map((n) => lastSeen.get(n)!);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        'rows in lastTimestamp order',
      );
      const byReason = succeeded(await k.run(['get', 'events', '--sort-by=.reason', '-o', 'wide']));
      const reasons = new Map(events.map((e) => [e.metadata.name, String(e.reason)]));
      const reasonOrder = names(byReason, 'last').map((n) => reasons.get(n)!);
      assert.equal(reasonOrder.length, events.length);
      assert.deepEqual(reasonOrder, [...reasonOrder].sort(), 'rows in reason order');
    });
  }

  it('serves None, Metadata (the default) and Object for lists, single objects and watches', async () => {
    const url = `${server.api.url}/api/v1/namespaces/default/pods`;
    const get = async (path: string) => {
      const res = await fetch(`${url}${path}`, { headers: { accept: TABLE_ACCEPT } });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const byDefault = await get('');
    assert.equal(byDefault.status, 200);
    assert.equal(byDefault.body.rows[0].object.kind, 'PartialObjectMetadata');
    assert.equal(byDefault.body.rows[0].object.spec, undefined);
    // The Age cell may tick between two requests on a loaded machine: compare everything else.
    const ageless = (body: Json) => {
      const age = (body.columnDefinitions as Array<{ name: string }>).findIndex((c) => c.name === 'Age');
      return (body.rows as Array<{ cells: unknown[] }>).map((r) => ({
        ...r,
        cells: r.cells.filter((_c, i) => i !== age),
      }));
    };
    assert.deepEqual(ageless((await get('?includeObject=Metadata')).body), ageless(byDefault.body));
    const full = (await get('?includeObject=Object')).body;
    assert.equal(full.rows.length, byDefault.body.rows.length);
    for (const row of full.rows) {
      assert.equal(row.object.kind, 'Pod');
      assert.equal(row.object.apiVersion, 'v1');
      assert.ok(Array.isArray(row.object.spec.containers));
    }
    for (const row of (await get('?includeObject=None')).body.rows) assert.equal(row.object, null);
    const one = (await get('/bare?includeObject=Object')).body;
    assert.equal(one.rows[0].object.spec.serviceAccountName, 'default');
    const bad = await get('?includeObject=All');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
    assert.equal(bad.body.message, 'unrecognized includeObject value: "All"');
    // Without a Table the parameter means nothing, as on a real server.
    const json = await fetch(`${url}?includeObject=All`);
    assert.equal(json.status, 200);
    await json.body?.cancel();
    assert.equal(await firstWatchObjectKind(`${url}?watch=true&includeObject=Object`), 'Pod');
    assert.equal(await firstWatchObjectKind(`${url}?watch=true`), 'PartialObjectMetadata');
  });
});

/** The kind of the row object in the first Table event of a watch. */
async function firstWatchObjectKind(watchUrl: string): Promise<string> {
  const controller = new AbortController();
  try {
    const res = await fetch(watchUrl, { headers: { accept: TABLE_ACCEPT }, signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const event = JSON.parse(text.slice(0, text.indexOf('\n')));
    return event.object.rows[0].object.kind;
  } finally {
    controller.abort();
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\#]/g, '\\$&');
}
