// API server benchmark: GET/s and updates/s on one object with 50 concurrent keep-alive clients
// (autocannon), p50/p99 latency, 50 watchers that must each receive every update, and the
// server's resident memory with 10,000 stored objects.
//
//   node --import tsx bench/apiserver.ts [durationSeconds=10]
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" … profiles the server.
//
// The server runs in a child process (this file with --serve), so the load generator and the
// watchers do not share its CPU.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

const CONNECTIONS = 50;
const WATCHERS = 50;
const OBJECTS = 10_000;

async function serve(): Promise<void> {
  const { createStore } = await import('../src/local/store/index.js');
  const { startApiServer } = await import('../src/local/apiserver/index.js');
  const store = await createStore();
  const api = await startApiServer({ store, host: '127.0.0.1', port: 0 });
  // A normal exit on SIGTERM, so `--cpu-prof` (via BENCH_SERVER_NODE_ARGS) gets written.
  process.on('SIGTERM', () => process.exit(0));
  // Memory after a full collection: what the stored objects really hold, not garbage awaiting GC.
  process.on('message', (m: string) => {
    if (m !== 'memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    process.send!({ rss, heapUsed });
  });
  process.send!({ url: api.url });
}

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...extra],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve({ child, url: m.url }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function send(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${url}${path}`,
      {
        method,
        headers: {
          'Content-Type': 'application/json',
          ...(text ? { 'Content-Length': Buffer.byteLength(text) } : {}),
        },
      },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text: data }));
      },
    );
    req.on('error', reject);
    if (text) req.write(text);
    req.end();
  });
}

const CM_PATH = '/api/v1/namespaces/default/configmaps';

async function main(durationSeconds: number): Promise<void> {
  const { child, url } = await startServer();
  try {
    await send(url, 'POST', CM_PATH, { metadata: { name: 'bench' }, data: { n: '0' } });
    const cpuBefore = await serverCpuSeconds(url);
    const get = await run({
      url: `${url}${CM_PATH}/bench`,
      connections: CONNECTIONS,
      duration: durationSeconds,
    });
    report('GET one ConfigMap', get, (await serverCpuSeconds(url)) - cpuBefore);
    await updates(url, durationSeconds, 0);
    await updates(url, durationSeconds, WATCHERS);
  } finally {
    child.kill();
  }
  // Memory on a fresh server, so garbage from the load above does not count.
  const fresh = await startServer();
  try {
    await storeObjects(fresh.url, fresh.child);
  } finally {
    fresh.child.kill();
  }
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

// Server CPU per request is what the machine's load cannot distort: it bounds the rate one
// core sustains (1e6 / µs per request).
function report(what: string, r: autocannon.Result, serverCpuSeconds: number): void {
  const ok = r.requests.total - r.non2xx - r.errors;
  const cpuMicros = (serverCpuSeconds * 1e6) / Math.max(1, r.requests.total);
  console.log(
    `${what}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
      `${ok} ok, ${r.non2xx} non-2xx, ${r.errors} errors, ${CONNECTIONS} connections; ` +
      `server CPU ${cpuMicros.toFixed(0)} µs/request (≈ ${Math.round(1e6 / cpuMicros)} req/s per core)`,
  );
}

async function serverCpuSeconds(url: string): Promise<number> {
  const text = (await send(url, 'GET', '/metrics')).text;
  return Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)![1]);
}

interface Watcher {
  events: number;
  close(): void;
}

function openWatcher(url: string, resourceVersion: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const watcher: Watcher = { events: 0, close: () => req.destroy() };
    const req = request(
      `${url}${CM_PATH}?watch=true&resourceVersion=${resourceVersion}&fieldSelector=metadata.name%3Dbench`,
      (res) => {
        let partial = '';
        res.on('data', (chunk: Buffer) => {
          const lines = (partial + chunk.toString()).split('\n');
          partial = lines.pop()!;
          watcher.events += lines.filter((l) => l.includes('"MODIFIED"')).length;
        });
        resolve(watcher);
      },
    );
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}

async function updates(url: string, durationSeconds: number, watcherCount: number): Promise<void> {
  const current = JSON.parse((await send(url, 'GET', `${CM_PATH}/bench`)).text) as {
    metadata: { resourceVersion: string };
  };
  const watchers = await Promise.all(
    Array.from({ length: watcherCount }, () => openWatcher(url, current.metadata.resourceVersion)),
  );
  let counter = 0;
  const cpuBefore = await serverCpuSeconds(url);
  const rvBefore = await currentResourceVersion(url);
  // Unconditional PUTs (allowed for ConfigMaps) with a new value each time, so every one is a write.
  const result = await run({
    url: `${url}${CM_PATH}/bench`,
    connections: CONNECTIONS,
    duration: durationSeconds,
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ metadata: { name: 'bench' }, data: { n: String(++counter) } }),
        }),
      },
    ],
  });
  report(
    `PUT one ConfigMap, ${watcherCount} watchers (every request a write)`,
    result,
    (await serverCpuSeconds(url)) - cpuBefore,
  );
  if (watcherCount === 0) return;
  // Every write moves the global resourceVersion by one, whether or not the client saw the reply.
  const writes = (await currentResourceVersion(url)) - rvBefore;
  const deadline = Date.now() + 30_000;
  while (watchers.some((w) => w.events < writes) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const counts = watchers.map((w) => w.events);
  const complete = counts.filter((c) => c === writes).length;
  console.log(
    `watchers: ${complete}/${WATCHERS} received all ${writes} updates (min ${Math.min(...counts)}, max ${Math.max(...counts)})`,
  );
  for (const w of watchers) w.close();
}

async function currentResourceVersion(url: string): Promise<number> {
  const list = JSON.parse((await send(url, 'GET', `${CM_PATH}?limit=1`)).text) as {
    metadata: { resourceVersion: string };
  };
  return Number(list.metadata.resourceVersion);
}

function memory(child: ChildProcess): Promise<{ rss: number; heapUsed: number }> {
  return new Promise((resolve) => {
    child.once('message', (m: { rss: number; heapUsed: number }) => resolve(m));
    child.send('memory');
  });
}

async function storeObjects(url: string, child: ChildProcess): Promise<void> {
  await send(url, 'POST', '/api/v1/namespaces', { metadata: { name: 'bulk' } });
  const before = await memory(child);
  const started = Date.now();
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < OBJECTS) {
      const i = next++;
      const res = await send(url, 'POST', '/api/v1/namespaces/bulk/pods', pod(i));
      if (res.status !== 201) failed++;
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  const seconds = (Date.now() - started) / 1000;
  const list = await send(url, 'GET', '/api/v1/namespaces/bulk/pods');
  const count = (JSON.parse(list.text) as { items: unknown[] }).items.length;
  const stored = Buffer.byteLength(JSON.stringify(JSON.parse(list.text).items[0]));
  const after = await memory(child);
  console.log(
    `stored ${count} pods (${failed} failed) in ${seconds.toFixed(1)} s (${Math.round(OBJECTS / seconds)} creates/s, 20 clients); ` +
      `stored pod JSON ${stored} bytes; server after GC: RSS ${mb(before.rss)} → ${mb(after.rss)} MB, ` +
      `heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB`,
  );
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

// A pod shaped like the ones the Deployment controller creates.
function pod(i: number): object {
  return {
    metadata: {
      name: `web-blue-7d4b9c8f5-${i.toString(36).padStart(5, '0')}`,
      labels: { app: 'web', color: 'blue', 'pod-template-hash': '7d4b9c8f5' },
      annotations: { 'cutover.dev/release': 'v1.2-blue' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-blue-7d4b9c8f5',
          uid: '0b6f8d2e-7d1c-4a5e-9a3b-2c1d0e9f8a7b',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'demo:1.2',
          ports: [{ containerPort: 3000 }],
          env: [
            { name: 'PORT', value: '3000' },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'env-blue', key: 'DB_PASSWORD' } } },
          ],
          readinessProbe: { httpGet: { path: '/ready', port: 3000 } },
        },
      ],
    },
  };
}

// Last, so every constant above is initialised.
if (process.argv.includes('--serve')) {
  await serve();
} else {
  await main(Number(process.argv[2] ?? 10));
}
