// The watch protocol in detail, over raw HTTP: headers flushed before Json event, streaming lists
// (sendInitialEvents) with the initial-events-end bookmark, periodic bookmarks, timeoutSeconds,
// Table events for kubectl get -w, and a watch on one object by name.
import assert from 'node:assert/strict';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';

// Replies are checked field by field, so they are typed loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let server: TestApiServer;
before(async () => {
  server = await startTestApiServer({ bookmarkIntervalMs: 200 });
});
after(() => server.close());

interface Stream {
  res: IncomingMessage;
  events: Array<{ type: string; object: Record<string, Json> }>;
  ended: Promise<void>;
  close(): void;
}

function openWatch(path: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = request({ host: '127.0.0.1', port: server.api.port, path, headers }, (res) => {
      const stream: Stream = {
        res,
        events: [],
        ended: new Promise((r) => res.on('close', () => r())),
        close: () => req.destroy(),
      };
      let partial = '';
      res.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop()!;
        for (const line of lines) if (line) stream.events.push(JSON.parse(line) as Stream['events'][number]);
      });
      resolve(stream);
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.end();
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function create(
  ns: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<Record<string, Json>> {
  const res = await fetch(`${server.api.url}/api/v1/namespaces/${ns}/configmaps`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ metadata: { name, labels }, data: { v: '1' } }),
  });
  assert.equal(res.status, 201);
  return (await res.json()) as Record<string, Json>;
}

test('headers arrive before Json event', async () => {
  const stream = await openWatch(
    '/api/v1/namespaces/kube-public/configmaps?watch=true&resourceVersion=999999',
  );
  // openWatch resolved on the response headers although no event has been written.
  assert.equal(stream.res.statusCode, 200);
  assert.equal(stream.res.headers['content-type'], 'application/json');
  assert.equal(stream.events.length, 0);
  stream.close();
});

test('sendInitialEvents: current objects, then a bookmark marking the end of the initial events, then live events', async () => {
  await fetch(`${server.api.url}/api/v1/namespaces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"metadata":{"name":"wl"}}',
  });
  await create('wl', 'a');
  await create('wl', 'b');
  const stream = await openWatch(
    '/api/v1/namespaces/wl/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
  );
  await until(() => stream.events.length >= 3, 'initial events');
  assert.deepEqual(
    stream.events.slice(0, 2).map((e) => `${e.type} ${e.object.metadata.name}`),
    ['ADDED a', 'ADDED b'],
  );
  const end = stream.events[2]!;
  assert.equal(end.type, 'BOOKMARK');
  assert.deepEqual(end.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
  assert.equal(end.object.kind, 'ConfigMap');
  await create('wl', 'c');
  await until(
    () => stream.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'c'),
    'the live event',
  );
  stream.close();

  const refused = await fetch(
    `${server.api.url}/api/v1/namespaces/wl/configmaps?watch=1&sendInitialEvents=true`,
  );
  assert.equal(refused.status, 422);
  const status = (await refused.json()) as { reason: string; message: string };
  assert.equal(status.reason, 'Invalid');
  assert.match(status.message, /resourceVersionMatch/);
});

test('allowWatchBookmarks: periodic BOOKMARK events carrying only the resourceVersion', async () => {
  const stream = await openWatch(
    '/api/v1/namespaces/kube-public/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=0',
  );
  await until(() => stream.events.some((e) => e.type === 'BOOKMARK'), 'a bookmark');
  const bookmark = stream.events.find((e) => e.type === 'BOOKMARK')!;
  assert.deepEqual(Object.keys(bookmark.object).sort(), ['apiVersion', 'kind', 'metadata']);
  assert.match(bookmark.object.metadata.resourceVersion, /^\d+$/);
  stream.close();
});

test('timeoutSeconds ends the stream cleanly', async () => {
  const started = Date.now();
  const stream = await openWatch('/api/v1/namespaces/kube-public/configmaps?watch=1&timeoutSeconds=1');
  await stream.ended;
  assert.ok(Date.now() - started >= 900);
  assert.ok(stream.res.complete, 'the chunked response was terminated properly');
});

test('Table watch (kubectl get -w) and a watch on one object by name', async () => {
  const table = await openWatch('/api/v1/namespaces/default/configmaps?watch=1', {
    Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
  });
  const single = await openWatch('/api/v1/namespaces/default/configmaps/only-me?watch=1');
  await create('default', 'other');
  await create('default', 'only-me');
  await until(() => table.events.length >= 2 && single.events.length >= 1, 'events');
  assert.equal(table.events[0]!.object.kind, 'Table');
  assert.equal(table.events[0]!.object.rows[0].cells[0], 'other');
  assert.deepEqual(
    single.events.map((e) => e.object.metadata.name),
    ['only-me'],
  );
  table.close();
  single.close();
});
