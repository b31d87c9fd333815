// What a real API server does that clients notice, checked with the real kubectl and raw HTTP on
// one shared server: boolean query parameters as the parameter codec reads them, list pagination,
// Secret stringData, negative integers in protobuf bodies, `$patch: delete` of a last list
// entry, watches from a resourceVersion older than the watch cache, and the self-review APIs
// behind `kubectl auth can-i` and `kubectl auth whoami`.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';
import { Kubectl, type KubectlResult } from './helpers/kubectl.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let server: TestApiServer;
let home: string;
const kubectls = new Map<string, Kubectl>();

function kubectl(version: string): Kubectl {
  let k = kubectls.get(version);
  if (!k) {
    k = new Kubectl({
      version,
      kubeconfigPath: server.kubeconfigPath,
      cacheDir: join(home, `cache-${version}`),
      home,
    });
    kubectls.set(version, k);
  }
  return k;
}

function ok(r: KubectlResult): string {
  assert.equal(r.stderr, '', `unexpected stderr: ${r.stderr}`);
  assert.equal(r.code, 0, `exit ${r.code}; stdout: ${r.stdout}`);
  return r.stdout;
}

async function http(path: string, init?: RequestInit): Promise<{ status: number; body: Json; text: string }> {
  const res = await fetch(`${server.api.url}${path}`, init);
  const text = await res.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

/** The first line a watch sends, or '' when the stream stays silent until the deadline. */
async function firstWatchLine(path: string, timeoutMs = 3000): Promise<{ status: number; line: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(`${server.api.url}${path}`, { signal: controller.signal });
  let text = '';
  try {
    const reader = res.body!.getReader();
    while (!text.includes('\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    await reader.cancel();
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    clearTimeout(timer);
  }
  return { status: res.status, line: text.split('\n')[0]! };
}

before(async () => {
  server = await startTestApiServer();
  home = await mkdtemp(join(tmpdir(), 'cutover-fidelity-'));
});
after(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

describe('boolean query parameters (runtime.Convert_Slice_string_To_bool)', () => {
  it('watch=True, watch=t and a bare ?watch open a watch; watch=FALSE and watch=0 list', async () => {
    for (const q of ['watch=True', 'watch=t', 'watch', 'watch=yes']) {
      const { status, line } = await firstWatchLine(`/api/v1/namespaces?${q}`);
      assert.equal(status, 200, q);
      assert.equal(JSON.parse(line).type, 'ADDED', q);
    }
    for (const q of ['watch=FALSE', 'watch=0', 'watch=false']) {
      const { status, body } = await http(`/api/v1/namespaces?${q}`);
      assert.equal(status, 200, q);
      assert.equal(body.kind, 'NamespaceList', q);
    }
  });

  it('force=True on server-side apply is force', async () => {
    const path = '/api/v1/namespaces/default/configmaps/forced?fieldManager=';
    const apply = (manager: string, force: string) =>
      http(`${path}${manager}${force}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/apply-patch+yaml' },
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'forced' },
          data: { a: manager },
        }),
      });
    assert.equal((await apply('one', '')).status, 201);
    assert.equal((await apply('two', '&force=False')).status, 409);
    const forced = await apply('two', '&force=True');
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.body.data.a, 'two');
  });
});

describe('list pagination', () => {
  before(async () => {
    await server.store.flush();
    for (let i = 1; i <= 5; i++) {
      const r = await http('/api/v1/namespaces/default/configmaps', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `page-${i}` } }),
      });
      assert.equal(r.status, 201);
    }
  });

  it('limit and continue walk one consistent snapshot, with remainingItemCount', async () => {
    const sel = 'labelSelector=';
    const first = await http(`/api/v1/namespaces/default/configmaps?limit=2&${sel}`);
    const names = (b: Json) => b.items.map((o: Json) => o.metadata.name);
    const total = (await http('/api/v1/namespaces/default/configmaps')).body.items.length;
    assert.equal(first.body.items.length, 2);
    assert.equal(first.body.metadata.remainingItemCount, total - 2);
    const rv = first.body.metadata.resourceVersion;
    // A write between pages is not seen by the rest of the list (etcd reads at the first page's revision).
    await http('/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'page-0-late' } }),
    });
    const seen = [...names(first.body)];
    let token = first.body.metadata.continue as string;
    while (token) {
      const page = await http(`/api/v1/namespaces/default/configmaps?limit=2&continue=${token}`);
      assert.equal(page.status, 200, page.text);
      assert.equal(page.body.metadata.resourceVersion, rv);
      seen.push(...names(page.body));
      token = page.body.metadata.continue ?? '';
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
    assert.ok(!seen.includes('page-0-late'));
  });

  it('a bad continue token is the real 400; a resourceVersion with continue is refused', async () => {
    const bad = await http('/api/v1/namespaces/default/configmaps?limit=2&continue=garbage!');
    assert.equal(bad.status, 400);
    assert.equal(
      bad.body.message,
      'invalid continue token: continue key is not valid: illegal base64 data at input byte 7',
    );
    const token = (await http('/api/v1/namespaces/default/configmaps?limit=1')).body.metadata.continue;
    const withRv = await http(
      `/api/v1/namespaces/default/configmaps?limit=1&continue=${token}&resourceVersion=3`,
    );
    assert.equal(withRv.status, 400);
    assert.equal(withRv.body.message, 'specifying resource version is not allowed when using continue');
  });

  for (const version of ['1.27', '1.30', '1.33'])
    it(`kubectl ${version} get --chunk-size=2 pages through the list`, async () => {
      const r = await kubectl(version).run(['get', 'configmaps', '--chunk-size=2', '-o', 'name', '-v=6']);
      assert.equal(r.code, 0, r.stderr);
      const total = (await http('/api/v1/namespaces/default/configmaps')).body.items.length;
      assert.equal(r.stdout.trim().split('\n').length, total);
      const pages = r.stderr.split('\n').filter((l) => /GET.*\/configmaps\?.*limit=2/.test(l));
      assert.equal(pages.length, Math.ceil(total / 2), r.stderr);
      assert.equal(pages.filter((l) => l.includes('continue=')).length, pages.length - 1);
    });
});

describe('writes as the real server stores them', () => {
  it('Secret stringData is folded into data (base64) and not stored', async () => {
    const file = join(home, 'secret.yaml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: s3cret}\ndata: {user: YWRtaW4=}\n',
    );
    ok(await kubectl('1.33').run(['apply', '-f', file]));
    const password = ok(
      await kubectl('1.33').run(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}']),
    );
    assert.equal(Buffer.from(password, 'base64').toString(), 's3cret');
    const stored = (await http('/api/v1/namespaces/default/secrets/db')).body;
    assert.equal(stored.stringData, undefined);
    assert.equal(stored.data.user, 'YWRtaW4=');
    // A merge patch with stringData updates data the same way.
    const patched = await http('/api/v1/namespaces/default/secrets/db', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ stringData: { password: 'n3w' } }),
    });
    assert.equal(Buffer.from(patched.body.data.password, 'base64').toString(), 'n3w');
  });

  it('kubectl 1.33 create deployment --replicas=-1 (a protobuf body) gets the real 422', async () => {
    const r = await kubectl('1.33').run(['create', 'deployment', 'negative', '--image=a', '--replicas=-1']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'error: failed to create deployment: Deployment.apps "negative" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
  });

  it('a strategic $patch: delete of the last env entry drops env, as Go omitempty does', async () => {
    const k = kubectl('1.33');
    ok(await k.run(['create', 'deployment', 'envs', '--image=demo:1']));
    ok(await k.run(['set', 'env', 'deploy/envs', 'A=1']));
    ok(
      await k.run([
        'patch',
        'deploy',
        'envs',
        '--type=strategic',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"demo","env":[{"name":"A","$patch":"delete"}]}]}}}}',
      ]),
    );
    const stored = (await http('/apis/apps/v1/namespaces/default/deployments/envs')).body;
    assert.equal('env' in stored.spec.template.spec.containers[0], false);
  });
});

describe('server-side apply field ownership', () => {
  for (const version of ['1.27', '1.33']) {
    it(`kubectl ${version}: a second manager conflicts, --force-conflicts takes the field over`, async () => {
      const k = kubectl(version);
      const name = `owned-${version.replace('.', '')}`;
      const one = join(home, `${name}-1.yaml`);
      const two = join(home, `${name}-2.yaml`);
      const cm = (data: string) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {${data}}\n`;
      await writeFile(one, cm('a: "1", b: "1"'));
      await writeFile(two, cm('a: "2", c: "2"'));
      ok(await k.run(['apply', '--server-side', '-f', one]));
      const refused = await k.run(['apply', '--server-side', '--field-manager=other', '-f', two]);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /^error: Apply failed with 1 conflict: conflict with "kubectl": \.data\.a\n/,
      );
      assert.match(refused.stderr, /--force-conflicts/);
      // Applying the value a field already has is co-ownership, not a conflict.
      await writeFile(two, cm('a: "1", c: "2"'));
      ok(await k.run(['apply', '--server-side', '--field-manager=other', '-f', two]));
      await writeFile(two, cm('a: "2", c: "2"'));
      ok(await k.run(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', two]));
      const stored = (await http(`/api/v1/namespaces/default/configmaps/${name}`)).body;
      assert.deepEqual(stored.data, { a: '2', b: '1', c: '2' });
      const owners = Object.fromEntries(
        stored.metadata.managedFields.map((e: Json) => [e.manager, Object.keys(e.fieldsV1['f:data']).sort()]),
      );
      assert.deepEqual(owners, { kubectl: ['f:b'], other: ['f:a', 'f:c'] });
    });
  }

  it('an Update manager (kubectl create) owns the defaults it wrote, named "using apps/v1" in conflicts', async () => {
    const k = kubectl('1.33');
    ok(await k.run(['create', 'deployment', 'ssa', '--image=demo:1']));
    const file = join(home, 'ssa.yaml');
    await writeFile(
      file,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ssa}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: ssa}}\n  template:\n    metadata: {labels: {app: ssa}}\n    spec:\n      containers: [{name: demo, image: demo:2}]\n',
    );
    const refused = await k.run(['apply', '--server-side', '-f', file]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^error: Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps\/v1:\n- \.spec\.replicas\n- \.spec\.template\.spec\.containers\[name="demo"\]\.image\n/,
    );
    ok(await k.run(['apply', '--server-side', '--force-conflicts', '-f', file]));
    ok(await k.run(['scale', 'deployment', 'ssa', '--replicas=4']));
    const entries = (await http('/apis/apps/v1/namespaces/default/deployments/ssa')).body.metadata
      .managedFields;
    const scale = entries.find((e: Json) => e.subresource === 'scale');
    // kubectl scale sends no fieldManager: the manager is the User-Agent's first segment (the binary's name).
    assert.equal(scale.manager, 'kubectl.1.33');
    assert.deepEqual(scale.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    const applied = entries.find((e: Json) => e.operation === 'Apply');
    assert.equal('f:replicas' in applied.fieldsV1['f:spec'], false);
  });
});

describe('watch from a resourceVersion older than the watch cache', () => {
  it('answers an ERROR event with 410 Expired, as the watch cache does', async () => {
    const { status, line } = await firstWatchLine(
      '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1',
    );
    assert.equal(status, 200);
    const event = JSON.parse(line);
    assert.equal(event.type, 'ERROR');
    assert.equal(event.object.code, 410);
    assert.equal(event.object.reason, 'Expired');
    assert.match(event.object.message, /^too old resource version: 1 \(\d+\)$/);
  });
});

describe('OpenAPI v3 schemas', () => {
  for (const version of ['1.27', '1.30', '1.33']) {
    it(`kubectl ${version} explain reads built-in and Istio kinds`, async () => {
      const k = kubectl(version);
      const replicas = ok(await k.run(['explain', 'deployment.spec.replicas']));
      assert.match(replicas, /KIND:\s+Deployment/);
      assert.match(replicas, /FIELD: replicas <integer>/);
      assert.match(replicas, /Number of desired pods\./);
      const stringData = ok(await k.run(['explain', 'secret.stringData']));
      assert.match(stringData, /FIELD: stringData <map\[string\]string>/);
      const env = ok(await k.run(['explain', 'pods.spec.containers.env']));
      assert.match(env, /FIELD: env <\[\]EnvVar>/);
      assert.match(env, /valueFrom\s+<EnvVarSource>/);
      const vs = ok(await k.run(['explain', 'virtualservices.spec']));
      assert.match(vs, /GROUP:\s+networking\.istio\.io/);
      assert.match(vs, /http\s+<\[\]Object>/);
    });
  }
});

describe('self reviews', () => {
  for (const version of ['1.27', '1.30', '1.33']) {
    it(`kubectl ${version} auth can-i says yes, auth whoami names the local user`, async () => {
      const k = kubectl(version);
      assert.equal(ok(await k.run(['auth', 'can-i', 'create', 'deployments'])), 'yes\n');
      assert.equal(ok(await k.run(['auth', 'can-i', 'delete', 'pods', '-n', 'kube-system'])), 'yes\n');
      const whoami = ok(await k.run(['auth', 'whoami']));
      assert.match(whoami, /Username\s+cutover-local/);
      assert.match(whoami, /Groups\s+\[system:masters system:authenticated\]/);
    });
  }

  it('the access review says why it is allowed', async () => {
    const r = await http('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: 'get', resource: 'pods' } },
      }),
    });
    assert.equal(r.status, 201);
    assert.equal(r.body.status.allowed, true);
    assert.match(r.body.status.reason, /authorizes every request/);
  });
});
