// A bounded, seeded fuzz of the API server's input handling: malformed JSON and YAML, wrong and
// missing content types, oversized bodies, unknown resources and versions, hostile names, random
// patch documents and query strings. Every answer must be a proper response (a Status for every
// error, never a 5xx, never a dropped connection), the server must keep serving, and objects
// created before the fuzz must still read back unchanged.
// FUZZ_SEED=<n> replays another sequence (the seed in use is in the test name); FUZZ_TRACE=<file>
// appends each request to that file before sending it, to find the one that hurt the server.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const ITERATIONS = 600;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** mulberry32: small, fast and reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Fuzzer {
  constructor(readonly rand: () => number) {}
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  string(max = 12): string {
    const alphabet = 'abcXYZ019-_.:/ $é💥\u0000\n"\'{}[]%~\\';
    let s = '';
    for (let i = this.int(max + 1); i > 0; i--) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  /** A random JSON value, biased towards the shapes patches and objects use. */
  json(depth = 0): unknown {
    const kind = this.int(depth > 3 ? 5 : 9);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return this.rand() < 0.5;
      case 2:
        return this.pick([0, -1, 1, 3000, 70000, 1.5, 2 ** 53, -(2 ** 31)]);
      case 3:
      case 4:
        return this.pick(['', 'x', 'blue', '$patch', 'replace', 'delete', this.string()]);
      case 5:
      case 6:
        return Array.from({ length: this.int(4) }, () => this.json(depth + 1));
      default: {
        const keys = [
          'metadata',
          'spec',
          'status',
          'name',
          'labels',
          'containers',
          'ports',
          'image',
          'replicas',
          'selector',
          'matchLabels',
          'template',
          '$patch',
          '$retainKeys',
          '$setElementOrder/containers',
          '$deleteFromPrimitiveList/finalizers',
          'finalizers',
          'hosts',
          'http',
          'op',
          'path',
          'value',
          this.string(6),
        ];
        const obj: Record<string, unknown> = {};
        for (let i = this.int(5); i > 0; i--) obj[this.pick(keys)] = this.json(depth + 1);
        return obj;
      }
    }
  }
}

const HOSTILE_NAMES = [
  '..',
  '../etc',
  '..%2F..%2Fetc',
  '%00',
  'a%00b',
  'x'.repeat(300),
  '%C3%A9',
  '%F0%9F%92%A5',
  'UPPER',
  '-lead',
  'trail-',
  'a..b',
  '.',
  '%20',
  'a%2Fb',
  '%',
  '%zz',
  'name?x=1',
  'a;b',
  "a'b",
];
const COLLECTIONS = [
  '/api/v1/namespaces/default/configmaps',
  '/api/v1/namespaces/default/secrets',
  '/api/v1/namespaces/default/services',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces',
  '/apis/apps/v1/namespaces/default/deployments',
  '/apis/coordination.k8s.io/v1/namespaces/default/leases',
  '/apis/networking.istio.io/v1/namespaces/default/virtualservices',
  '/apis/networking.istio.io/v1alpha3/namespaces/default/destinationrules',
  '/apis/networking.istio.io/v1beta1/namespaces/default/gateways',
];
const UNKNOWN_PATHS = [
  '/api/v1/namespaces/default/foos',
  '/apis/nope.example.com/v1/things',
  '/apis/apps/v9/deployments',
  '/api/v2/pods',
  '/apis',
  '/apis/apps',
  '/openapi/v9',
  '/version/extra',
  '/',
  '/healthz/x',
  '/api/v1/namespaces/nope-ns/configmaps',
  '/api/v1/namespaces/default/pods/p/nope',
  '/apis/apps/v1/namespaces/default/deployments/fuzz-target/status/extra',
];
const CONTENT_TYPES = [
  'application/json',
  'application/yaml',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'text/plain',
  'application/xml',
  'application/vnd.kubernetes.protobuf',
  '',
  'a/b;;;charset=',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
];
const BAD_QUERIES = [
  'labelSelector=a%20in%20(',
  'labelSelector=!!',
  'fieldSelector=spec.nope%3Dx',
  'fieldSelector==',
  'limit=-1',
  'limit=abc',
  'resourceVersion=abc',
  'resourceVersionMatch=Weird',
  'fieldValidation=Maybe',
  'dryRun=Sometimes',
  'propagationPolicy=Sideways',
  'gracePeriodSeconds=-5',
  'continue=garbage',
  'watch=1&resourceVersion=xyz',
  'watch=true&sendInitialEvents=true',
  'fieldManager=' + 'm'.repeat(200),
  'timeoutSeconds=abc',
];

describe(`API server fuzz (seed ${SEED}, ${ITERATIONS} requests)`, () => {
  let server: TestApiServer;
  let agent: Agent;
  const anchors: Array<{ path: string; body: Record<string, unknown>; stored?: string }> = [
    {
      path: '/api/v1/namespaces/default/configmaps',
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'anchor-config' },
        data: { keep: 'me' },
      },
    },
    {
      path: '/apis/networking.istio.io/v1/namespaces/default/virtualservices',
      body: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'anchor-route' },
        spec: { hosts: ['*'], http: [{ route: [{ destination: { host: 'myapp', subset: 'blue' } }] }] },
      },
    },
    {
      path: '/apis/apps/v1/namespaces/default/deployments',
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'anchor-app', labels: { app: 'anchor' } },
        spec: {
          selector: { matchLabels: { app: 'anchor' } },
          template: {
            metadata: { labels: { app: 'anchor' } },
            spec: { containers: [{ name: 'web', image: 'demo/app:1', ports: [{ containerPort: 3000 }] }] },
          },
        },
      },
    },
  ];

  function send(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const url = new URL(server.api.url);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers:
            body !== undefined ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
      req.on('error', (err) =>
        reject(new Error(`${method} ${path}: connection failed: ${err.message}`, { cause: err })),
      );
      if (body !== undefined) req.end(body);
      else req.end();
    });
  }

  /** The invariant every answer must hold. */
  function checkReply(what: string, reply: Reply, method: string): void {
    assert.ok(
      reply.status >= 200 && reply.status < 500,
      `${what}: HTTP ${reply.status}: ${reply.body.slice(0, 300)}`,
    );
    // HEAD answers carry no body, by HTTP's rules.
    if (reply.status < 400 || method === 'HEAD') return;
    let status: Record<string, unknown>;
    try {
      status = JSON.parse(reply.body) as Record<string, unknown>;
    } catch (err) {
      throw new Error(
        `${what}: HTTP ${reply.status} with a body that is not JSON: ${reply.body.slice(0, 200)}`,
        { cause: err },
      );
    }
    assert.equal(status.kind, 'Status', `${what}: ${reply.body.slice(0, 300)}`);
    assert.equal(status.apiVersion, 'v1');
    assert.equal(status.status, 'Failure');
    assert.equal(
      status.code,
      reply.status,
      `${what}: code field ${String(status.code)} vs HTTP ${reply.status}`,
    );
    assert.equal(typeof status.message, 'string');
    assert.equal(typeof status.reason, 'string');
  }

  before(async () => {
    server = await startTestApiServer();
    agent = new Agent({ keepAlive: true, maxSockets: 4 });
    for (const anchor of anchors) {
      const reply = await send('POST', anchor.path, JSON.stringify(anchor.body), {
        'content-type': 'application/json',
      });
      assert.equal(reply.status, 201, reply.body);
      anchor.stored = reply.body;
    }
    for (const path of COLLECTIONS.filter((p) => !p.endsWith('/namespaces'))) {
      // A target per kind, so random patches and updates reach existing objects too.
      const kind = path.split('/').pop()!;
      await send('POST', path, JSON.stringify({ metadata: { name: 'fuzz-target' }, ...minimalBody(kind) }), {
        'content-type': 'application/json',
      });
    }
  });
  after(async () => {
    agent?.destroy();
    await server?.close();
  });

  it('answers every malformed request with a Status and keeps its state', async () => {
    const f = new Fuzzer(prng(SEED));
    const generators = [
      malformedCreate,
      wrongContentType,
      unknownResource,
      hostileName,
      randomPatch,
      randomUpdate,
      badQuery,
      randomDelete,
    ];
    for (let i = 0; i < ITERATIONS; i++) {
      const { method, path, body, headers } = f.pick(generators)(f);
      if (process.env.FUZZ_TRACE)
        appendFileSync(
          process.env.FUZZ_TRACE,
          `#${i} ${method} ${path.slice(0, 200)} ${headers?.['content-type'] ?? ''} ${String(body).slice(0, 200)}\n`,
        );
      const reply = await send(method, path, body, headers);
      checkReply(`#${i} ${method} ${path.slice(0, 120)} [${headers?.['content-type'] ?? ''}]`, reply, method);
    }
    await checkState();
  });

  it('refuses an oversized body with 413 and serves the next request', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 10, 'a');
    for (const [method, path] of [
      ['POST', '/api/v1/namespaces/default/configmaps'],
      ['PATCH', '/api/v1/namespaces/default/configmaps/anchor-config'],
      ['PUT', '/apis/apps/v1/namespaces/default/deployments/anchor-app'],
    ] as const) {
      const reply = await send(method, path, big, {
        'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
      });
      checkReply(`${method} ${path} (3 MiB + 10)`, reply, method);
      assert.equal(reply.status, 413);
    }
    await checkState();
  });

  async function checkState(): Promise<void> {
    const version = await send('GET', '/version');
    assert.equal(version.status, 200);
    for (const anchor of anchors) {
      const name = (anchor.body.metadata as { name: string }).name;
      const reply = await send('GET', `${anchor.path}/${name}`);
      assert.equal(reply.status, 200, reply.body);
      assert.deepEqual(JSON.parse(reply.body), JSON.parse(anchor.stored!), `${name} changed`);
    }
    for (const path of COLLECTIONS) {
      const reply = await send('GET', path);
      assert.equal(reply.status, 200, `${path}: ${reply.body.slice(0, 200)}`);
      const list = JSON.parse(reply.body) as {
        items: Array<{ metadata: { name: string; resourceVersion: string } }>;
        metadata: { resourceVersion: string };
      };
      assert.ok(Array.isArray(list.items));
      for (const item of list.items) {
        assert.equal(typeof item.metadata.name, 'string');
        assert.ok(Number(item.metadata.resourceVersion) <= Number(list.metadata.resourceVersion));
      }
    }
  }
});

function minimalBody(kind: string): Record<string, unknown> {
  switch (kind) {
    case 'services':
      return { spec: { ports: [{ port: 80 }] } };
    case 'pods':
      return { spec: { containers: [{ name: 'c', image: 'demo/app:1' }] } };
    case 'deployments':
      return {
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: {
            metadata: { labels: { a: 'b' } },
            spec: { containers: [{ name: 'c', image: 'demo/app:1' }] },
          },
        },
      };
    case 'leases':
      return { spec: { holderIdentity: 'x', leaseDurationSeconds: 10 } };
    case 'virtualservices':
      return { spec: { hosts: ['*'] } };
    case 'destinationrules':
      return { spec: { host: 'myapp' } };
    case 'gateways':
      return { spec: { servers: [] } };
    default:
      return {};
  }
}

interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

function malformedCreate(f: Fuzzer): FuzzRequest {
  const bodies = [
    '{',
    '{"metadata":',
    '[]',
    'null',
    '"x"',
    '42',
    '{"metadata":{"name":1}}',
    '{"metadata":[]}',
    '{"apiVersion":"v9","kind":"Nope","metadata":{"name":"x"}}',
    'a: [b',
    ': : :',
    '\u0000\u0001',
    '{"metadata":{"name":"fuzz-anchor"},"spec":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
    JSON.stringify({ metadata: { name: `fuzz-${f.int(1000)}` }, ...(f.json() as object) }),
  ];
  return {
    method: 'POST',
    path: f.pick(COLLECTIONS),
    body: f.pick(bodies),
    headers: { 'content-type': f.pick(['application/json', 'application/yaml']) },
  };
}

function wrongContentType(f: Fuzzer): FuzzRequest {
  const method = f.pick(['POST', 'PUT', 'PATCH']);
  const path = method === 'POST' ? f.pick(COLLECTIONS) : `${f.pick(COLLECTIONS.slice(0, -1))}/fuzz-target`;
  const headers: Record<string, string> = {};
  const type = f.pick(CONTENT_TYPES);
  if (type) headers['content-type'] = type;
  return { method, path, body: JSON.stringify({ metadata: { name: 'fuzz-target' } }), headers };
}

function unknownResource(f: Fuzzer): FuzzRequest {
  return {
    method: f.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']),
    path: f.pick(UNKNOWN_PATHS),
    body: '{}',
    headers: { 'content-type': 'application/json' },
  };
}

function hostileName(f: Fuzzer): FuzzRequest {
  const name = f.pick(HOSTILE_NAMES);
  const method = f.pick(['GET', 'PUT', 'PATCH', 'DELETE', 'POST']);
  const collection = f.pick(COLLECTIONS);
  if (method === 'POST') {
    const decoded = safeDecode(name);
    return {
      method,
      path: collection,
      body: JSON.stringify({ metadata: { name: decoded }, ...minimalBody(collection.split('/').pop()!) }),
      headers: { 'content-type': 'application/json' },
    };
  }
  return {
    method,
    path: `${collection}/${name}`,
    body: JSON.stringify({ metadata: { name: safeDecode(name) } }),
    headers: { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not valid percent-encoding: the raw text is itself a hostile name.
    return text;
  }
}

function randomPatch(f: Fuzzer): FuzzRequest {
  const type = f.pick([
    'application/merge-patch+json',
    'application/json-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
  ]);
  let body: string;
  if (type === 'application/json-patch+json' && f.rand() < 0.7) {
    const ops = Array.from({ length: 1 + f.int(3) }, () => ({
      op: f.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'nope']),
      path: f.pick([
        '',
        '/',
        '/spec',
        '/metadata/name',
        '/metadata/labels/x',
        '/spec/replicas',
        '/spec/hosts/-',
        '/spec/template/spec/containers/0/image',
        '/a~1b',
        '/metadata/resourceVersion',
        '/kind',
      ]),
      from: f.pick(['/metadata/labels', '/spec', '/nope']),
      value: f.json(),
    }));
    body = JSON.stringify(ops);
  } else if (type === 'application/apply-patch+yaml' && f.rand() < 0.5) {
    body = f.pick([
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fuzz-target\ndata: {a: "1"}\n',
      'kind: [',
      '&a [*a, *a]',
      'a: &x [*x]',
      '--- \n---\n',
      '\t\tbad:\n indent',
      JSON.stringify(f.json()),
    ]);
  } else {
    body = f.rand() < 0.1 ? f.string(40) : JSON.stringify(f.json());
  }
  const query = type === 'application/apply-patch+yaml' && f.rand() < 0.8 ? '?fieldManager=fuzz' : '';
  return {
    method: 'PATCH',
    path: `${f.pick(COLLECTIONS.slice(0, -1))}/fuzz-target${query}`,
    body,
    headers: { 'content-type': type },
  };
}

function randomUpdate(f: Fuzzer): FuzzRequest {
  const collection = f.pick(COLLECTIONS.slice(0, -1));
  const body = {
    apiVersion: f.pick(['v1', 'apps/v1', 'networking.istio.io/v1', undefined]),
    kind: f.pick(['ConfigMap', 'Deployment', undefined]),
    metadata: { name: 'fuzz-target', resourceVersion: f.pick(['1', 'abc', '', '999999999', undefined]) },
    ...(f.json() as object),
  };
  return {
    method: 'PUT',
    path: `${collection}/fuzz-target`,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  };
}

function badQuery(f: Fuzzer): FuzzRequest {
  const query = f.pick(BAD_QUERIES);
  // Watches must end on their own: bounded by timeoutSeconds, or refused.
  const bounded = query.includes('watch') ? `${query}&timeoutSeconds=1` : query;
  return { method: 'GET', path: `${f.pick(COLLECTIONS)}?${bounded}` };
}

function randomDelete(f: Fuzzer): FuzzRequest {
  const body = f.pick([
    '{',
    '[]',
    '{"propagationPolicy":"Sideways"}',
    '{"preconditions":{"uid":"nope"}}',
    '{"gracePeriodSeconds":"x"}',
    '{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"]}',
    JSON.stringify(f.json()),
  ]);
  return {
    method: 'DELETE',
    path: `${f.pick(COLLECTIONS.slice(0, -1))}/${f.pick(['fuzz-target', 'nope', 'fuzz-1'])}`,
    body,
    headers: { 'content-type': 'application/json' },
  };
}
