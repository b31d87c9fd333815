// Status codes and Status bodies for bad and conflicting requests, over raw HTTP, and a fuzz run
// of hostile input that must never crash the server or corrupt its state.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';

let server: TestApiServer;
before(async () => {
  server = await startTestApiServer({ historySize: 50 });
});
after(() => server.close());

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

function call(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  // A raw path: URL parsing would resolve `%2e%2e` before the server sees it.
  return new Promise((resolve, reject) => {
    const length: Record<string, string> =
      body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
    const req = request(
      {
        host: '127.0.0.1',
        port: server.api.port,
        path,
        method,
        headers: { 'Content-Type': 'application/json', ...length, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode!, headers: res.headers, text, json: parseOrEmpty(text) });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// Error replies must be JSON Status objects; anything else shows up as a failed field check.
function parseOrEmpty(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function assertStatus(reply: Reply, code: number, reason: string, message?: string | RegExp): void {
  assert.equal(reply.status, code, reply.text);
  assert.equal(reply.json.kind, 'Status', reply.text);
  assert.equal(reply.json.apiVersion, 'v1');
  assert.equal(reply.json.status, 'Failure');
  assert.equal(reply.json.code, code);
  assert.equal(reply.json.reason, reason);
  if (typeof message === 'string') assert.equal(reply.json.message, message);
  else if (message) assert.match(String(reply.json.message), message);
}

const CM = '/api/v1/namespaces/default/configmaps';

test('400: malformed JSON and YAML, bad selectors, bad query values', async () => {
  assertStatus(
    await call('POST', CM, '{"metadata": {'),
    400,
    'BadRequest',
    /json parse error: unexpected end of JSON input/,
  );
  assertStatus(
    await call('POST', CM, 'xyz'),
    400,
    'BadRequest',
    "couldn't get version/kind; json parse error: invalid character 'x' looking for beginning of value",
  );
  assertStatus(
    await call('POST', CM, 'a: [b', { 'Content-Type': 'application/yaml' }),
    400,
    'BadRequest',
    /error converting YAML to JSON/,
  );
  assertStatus(await call('POST', CM, '[1,2]'), 400, 'BadRequest');
  assertStatus(
    await call('GET', `${CM}?labelSelector=${encodeURIComponent('a in (')}`),
    400,
    'BadRequest',
    /unable to parse requirement/,
  );
  assertStatus(await call('GET', `${CM}?watch=true&resourceVersion=abc`), 400, 'BadRequest');
  assertStatus(await call('DELETE', `${CM}/x`, '{"gracePeriodSeconds": "soon"}'), 400, 'BadRequest');
  const yaml = await call('POST', CM, 'metadata:\n  name: from-yaml\ndata:\n  k: v\n', {
    'Content-Type': 'application/yaml',
  });
  assert.equal(yaml.status, 201);
  assert.equal(yaml.json.kind, 'ConfigMap');
});

test('404: unknown resources, paths and objects', async () => {
  assertStatus(
    await call('GET', '/api/v1/namespaces/default/widgets'),
    404,
    'NotFound',
    'the server could not find the requested resource',
  );
  assertStatus(await call('GET', '/apis/apps/v2/deployments'), 404, 'NotFound');
  assertStatus(await call('GET', '/nothing/here'), 404, 'NotFound');
  const missing = await call('GET', '/apis/apps/v1/namespaces/default/deployments/ghost');
  assertStatus(missing, 404, 'NotFound', 'deployments.apps "ghost" not found');
  assert.deepEqual(missing.json.details, { name: 'ghost', group: 'apps', kind: 'deployments' });
  assertStatus(
    await call('POST', '/api/v1/namespaces/ghost-ns/configmaps', '{"metadata":{"name":"a"}}'),
    404,
    'NotFound',
    'namespaces "ghost-ns" not found',
  );
});

test('409: AlreadyExists, Conflict and failed preconditions', async () => {
  const created = await call('POST', CM, '{"metadata":{"name":"c409"}}');
  assert.equal(created.status, 201);
  assertStatus(
    await call('POST', CM, '{"metadata":{"name":"c409"}}'),
    409,
    'AlreadyExists',
    'configmaps "c409" already exists',
  );
  const meta = created.json.metadata as { resourceVersion: string; uid: string };
  const ok = await call(
    'PUT',
    `${CM}/c409`,
    JSON.stringify({ metadata: { name: 'c409', resourceVersion: meta.resourceVersion }, data: { a: 'b' } }),
  );
  assert.equal(ok.status, 200);
  assertStatus(
    await call(
      'PUT',
      `${CM}/c409`,
      JSON.stringify({ metadata: { name: 'c409', resourceVersion: meta.resourceVersion }, data: { a: 'c' } }),
    ),
    409,
    'Conflict',
    'Operation cannot be fulfilled on configmaps "c409": the object has been modified; please apply your changes to the latest version and try again',
  );
  assertStatus(
    await call(
      'PATCH',
      `${CM}/c409`,
      JSON.stringify({ metadata: { resourceVersion: meta.resourceVersion } }),
      { 'Content-Type': 'application/merge-patch+json' },
    ),
    409,
    'Conflict',
  );
  assertStatus(
    await call('DELETE', `${CM}/c409`, JSON.stringify({ preconditions: { uid: 'other' } })),
    409,
    'Conflict',
    /Precondition failed: UID in precondition: other/,
  );
});

test('410: a watch from a resourceVersion older than the retained history gets an ERROR Expired event', async () => {
  for (let i = 0; i < 60; i++)
    assert.equal((await call('POST', CM, JSON.stringify({ metadata: { name: `h${i}` } }))).status, 201);
  const reply = await call('GET', `${CM}?watch=1&resourceVersion=1`);
  assert.equal(reply.status, 200);
  const events = reply.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; object: Record<string, unknown> });
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'ERROR');
  assert.equal(events[0]!.object.code, 410);
  assert.equal(events[0]!.object.reason, 'Expired');
  assert.match(String(events[0]!.object.message), /^too old resource version: 1 \(\d+\)$/);
  const timed = await call('GET', `${CM}?watch=1&timeoutSeconds=1&labelSelector=none`);
  assert.equal(timed.status, 200);
  assert.equal(timed.text, '');
});

test('413: bodies over 3 MiB', async () => {
  const big = JSON.stringify({ metadata: { name: 'big' }, data: { x: 'y'.repeat(3 * 1024 * 1024) } });
  const reply = await call('POST', CM, big);
  assertStatus(reply, 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
  assert.equal((await call('GET', `${CM}/big`)).status, 404);
});

test('415: wrong content types, strategic merge on custom resources', async () => {
  assertStatus(
    await call('POST', CM, '{}', { 'Content-Type': 'text/plain' }),
    415,
    'UnsupportedMediaType',
    /unknown format - accepted media types include: application\/json/,
  );
  await call('POST', CM, '{"metadata":{"name":"p415"}}');
  assertStatus(
    await call('PATCH', `${CM}/p415`, '{}', { 'Content-Type': 'application/json' }),
    415,
    'UnsupportedMediaType',
  );
  const vs = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'vs415' },
    spec: { hosts: ['a'] },
  };
  assert.equal(
    (
      await call(
        'POST',
        '/apis/networking.istio.io/v1/namespaces/default/virtualservices',
        JSON.stringify(vs),
      )
    ).status,
    201,
  );
  const smp = await call(
    'PATCH',
    '/apis/networking.istio.io/v1/namespaces/default/virtualservices/vs415',
    '{"spec":{"hosts":["b"]}}',
    {
      'Content-Type': 'application/strategic-merge-patch+json',
    },
  );
  assertStatus(smp, 415, 'UnsupportedMediaType');
  assert.doesNotMatch(String(smp.json.message), /strategic-merge-patch/);
});

test('422: invalid names, PUT without resourceVersion on custom resources, bad scale', async () => {
  const bad = await call('POST', CM, '{"metadata":{"name":"Not_A_Name"}}');
  assertStatus(
    bad,
    422,
    'Invalid',
    /^ConfigMap "Not_A_Name" is invalid: metadata\.name: Invalid value: "Not_A_Name"/,
  );
  const causes = (bad.json.details as { causes: Array<{ field: string }> }).causes;
  assert.equal(causes[0]!.field, 'metadata.name');
  const vs = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'vs422' },
    spec: { hosts: ['a'] },
  };
  await call('POST', '/apis/networking.istio.io/v1/namespaces/default/virtualservices', JSON.stringify(vs));
  const put = await call(
    'PUT',
    '/apis/networking.istio.io/v1/namespaces/default/virtualservices/vs422',
    JSON.stringify(vs),
  );
  assertStatus(
    put,
    422,
    'Invalid',
    /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/,
  );
  const deployment = {
    metadata: { name: 'd422' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'c', image: 'demo:1' }] },
      },
    },
  };
  assert.equal(
    (await call('POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify(deployment))).status,
    201,
  );
  const scale = await call(
    'PATCH',
    '/apis/apps/v1/namespaces/default/deployments/d422/scale',
    '{"spec":{"replicas":-1}}',
    { 'Content-Type': 'application/merge-patch+json' },
  );
  assertStatus(
    scale,
    422,
    'Invalid',
    'Scale.autoscaling "d422" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  );
});

test('discovery lists main resources before subresources; scale is autoscaling/v1', async () => {
  const apps = (await call('GET', '/apis/apps/v1')).json as {
    resources: Array<{ name: string; kind: string; group?: string; version?: string }>;
  };
  const names = apps.resources.map((r) => r.name);
  assert.ok(names.indexOf('deployments') < names.indexOf('deployments/status'));
  assert.deepEqual(
    apps.resources.find((r) => r.name === 'deployments/scale'),
    {
      name: 'deployments/scale',
      singularName: '',
      namespaced: true,
      kind: 'Scale',
      group: 'autoscaling',
      version: 'v1',
      verbs: ['get', 'patch', 'update'],
    },
  );
  const groups = (await call('GET', '/apis')).json as {
    groups: Array<{ name: string; preferredVersion: { version: string } }>;
  };
  assert.equal(groups.groups.find((g) => g.name === 'networking.istio.io')?.preferredVersion.version, 'v1');
  const index = (await call('GET', '/openapi/v3')).json as {
    paths: Record<string, { serverRelativeURL: string }>;
  };
  const doc = (await call('GET', index.paths['apis/apps/v1']!.serverRelativeURL)).json as {
    paths: Record<string, { patch: Record<string, unknown> }>;
  };
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
  });
  assert.equal(patch.requestBody, undefined);
  assert.ok((patch.parameters as Array<{ name: string }>).some((p) => p.name === 'fieldValidation'));
  // kubectl ≤ 1.29 reads OpenAPI v2 as protobuf; the media type it gets back must parse in Go.
  const v2 = await call('GET', '/openapi/v2', undefined, {
    Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
  });
  assert.equal(v2.status, 200);
  assert.equal(v2.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  assert.equal((await call('GET', '/openapi/v2')).json.swagger, '2.0');
});

test('metrics count requests by verb and resource', async () => {
  await call('GET', `${CM}`);
  const counts = server.api.requestCounts();
  assert.ok((counts['LIST configmaps'] ?? 0) >= 1);
  assert.ok((counts['POST configmaps'] ?? 0) >= 1);
  const text = (await call('GET', '/metrics')).text;
  assert.match(
    text,
    /apiserver_request_total\{code="201",resource="configmaps",subresource="",verb="POST"\} \d+/,
  );
});

test('fuzz: hostile input never crashes the server or corrupts stored objects', async () => {
  await call('POST', CM, '{"metadata":{"name":"keep"},"data":{"v":"1"}}');
  const before = (await call('GET', `${CM}/keep`)).json;
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = [
    '{',
    '}',
    '[',
    ']',
    '"',
    ':',
    ',',
    'null',
    '"metadata"',
    '"name"',
    '"keep"',
    '\u0000',
    '%00',
    '..',
    '/',
    '\\',
    '💥',
    'a'.repeat(300),
    '-1',
    '1e309',
  ];
  const paths = [
    CM,
    `${CM}/keep`,
    `${CM}/%2e%2e`,
    `${CM}/%zz`,
    '/api/v1/namespaces/%00/configmaps',
    '/apis/apps/v1/namespaces/default/deployments/x/scale',
    '/api/v1/namespaces/default/pods/x/exec',
    '/apis//v1',
    '/api/v1/namespaces/default/configmaps/keep/status',
  ];
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  const types = [
    'application/json',
    'application/yaml',
    'application/merge-patch+json',
    'application/json-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
    'text/html',
    '',
  ];
  for (let i = 0; i < 300; i++) {
    const body = Array.from({ length: rand(12) }, () => pieces[rand(pieces.length)]).join('');
    const method = methods[rand(methods.length)]!;
    const path = paths[rand(paths.length)]! + (rand(3) === 0 ? '?labelSelector=%28%28&fieldSelector=a' : '');
    // Deleting the collection or the object itself would be a legitimate request, not hostile input.
    const safeMethod =
      method === 'DELETE' && (path.startsWith(`${CM}/keep`) || path.startsWith(`${CM}?`) || path === CM)
        ? 'GET'
        : method;
    const reply = await call(safeMethod, path, body, { 'Content-Type': types[rand(types.length)]! });
    assert.ok(
      reply.status < 500,
      `${safeMethod} ${path} ${JSON.stringify(body)} → ${reply.status} ${reply.text}`,
    );
    if (reply.status >= 400)
      assert.equal(reply.json.kind, 'Status', `${safeMethod} ${path} → ${reply.status} ${reply.text}`);
  }
  assert.equal((await call('GET', '/healthz')).text, 'ok');
  const after = (await call('GET', `${CM}/keep`)).json as { data?: unknown; metadata: { uid: string } };
  assert.equal(after.metadata.uid, (before.metadata as { uid: string }).uid);
  assert.deepEqual(after.data, before.data);
});
