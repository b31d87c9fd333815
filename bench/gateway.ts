// Throughput and latency of the local ingress gateway against calling the pod directly.
//   node --import tsx bench/gateway.ts       (BENCH_SECONDS=3 per run, BENCH_ROUNDS=3 interleaved rounds)
// The upstream (a minimal node http server) and the gateway each run in their own process, as
// they do in the local cluster; autocannon runs in this one. A bare Node proxy is measured too, as
// the ceiling any Node proxy reaches here.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const CONCURRENCY = [1, 10, 50];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const UPSTREAM_HOST = '127.0.0.2';

/** CPU time (user + system) this process used so far. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function runUpstream(): Promise<void> {
  const body = Buffer.from(JSON.stringify({ hello: 'world', version: 'v1' }));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  // Counts by client address, to show how many connections each proxy opened (pooling).
  const connections = new Map<string, number>();
  let requests = 0;
  server.on('connection', (s) =>
    connections.set(s.remoteAddress ?? '', (connections.get(s.remoteAddress ?? '') ?? 0) + 1),
  );
  // Count of connections opened so far, and of requests served.
  server.on('request', () => requests++);
  process.on('message', () =>
    process.send!({
      connections: [...connections.values()].reduce((a, b) => a + b, 0),
      requests,
      cpuMs: cpuMs(),
    }),
  );
  server.listen(0, UPSTREAM_HOST, () => process.send!({ port: (server.address() as AddressInfo).port }));
}

/** The gateway with the seed's Gateway, VirtualService (cookie test route + default) and DestinationRule. */
async function runGateway(upstreamPort: number): Promise<void> {
  const { createStore } = await import('../src/local/store/index.js');
  const { startGateway } = await import('../src/local/gateway/index.js');
  const { findResource } = await import('../src/local/resources.js');
  const store = await createStore();
  const put = (
    group: string,
    resource: string,
    apiVersion: string,
    kind: string,
    name: string,
    body: Record<string, unknown>,
    labels?: Record<string, string>,
  ) =>
    store.create(findResource(group, resource)!, {
      apiVersion,
      kind,
      metadata: { name, namespace: 'default', labels },
      ...body,
    });
  const istio = 'networking.istio.io';
  put(
    '',
    'pods',
    'v1',
    'Pod',
    'myapp-blue-1',
    { status: { podIP: UPSTREAM_HOST } },
    { app: 'myapp', color: 'blue' },
  );
  put('', 'services', 'v1', 'Service', 'myapp', {
    spec: { selector: { app: 'myapp' }, ports: [{ name: 'http', port: 80, targetPort: upstreamPort }] },
  });
  put('', 'endpoints', 'v1', 'Endpoints', 'myapp', {
    subsets: [
      {
        addresses: [
          { ip: UPSTREAM_HOST, targetRef: { kind: 'Pod', name: 'myapp-blue-1', namespace: 'default' } },
        ],
        ports: [{ name: 'http', port: upstreamPort, protocol: 'TCP' }],
      },
    ],
  });
  put(istio, 'gateways', `${istio}/v1alpha3`, 'Gateway', 'myapp-gateway', {
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    },
  });
  put(istio, 'destinationrules', `${istio}/v1alpha3`, 'DestinationRule', 'myapp', {
    spec: {
      host: 'myapp',
      subsets: [
        { name: 'blue', labels: { color: 'blue' } },
        { name: 'green', labels: { color: 'green' } },
      ],
    },
  });
  put(istio, 'virtualservices', `${istio}/v1alpha3`, 'VirtualService', 'myapp', {
    spec: {
      hosts: ['*'],
      gateways: ['myapp-gateway'],
      http: [
        {
          name: 'myapp-test',
          match: [{ headers: { cookie: { regex: '^(.*?;)?(test=true)(;.*)?$' } } }],
          route: [{ destination: { host: 'myapp', subset: 'green' } }],
        },
        { name: 'myapp-default', route: [{ destination: { host: 'myapp', subset: 'blue' } }] },
      ],
    },
  });
  const gw = await startGateway({ store, host: '127.0.0.1', port: 0, propagationDelayMs: 0 });
  process.on('message', () => {
    const requests = gw.stats().reduce((a, st) => a + st.requests, 0);
    process.send!({ connections: 0, requests, cpuMs: cpuMs() });
  });
  process.send!({ port: gw.port });
}

/** A bare keep-alive proxy (no routing at all): the ceiling for a Node HTTP proxy on this machine. */
async function runBareProxy(upstreamPort: number): Promise<void> {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });
  let requests = 0;
  process.on('message', () => process.send!({ connections: 0, requests, cpuMs: cpuMs() }));
  const server = createServer((req, res) => {
    requests++;
    const up = request(
      {
        host: UPSTREAM_HOST,
        port: upstreamPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

function child(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = fork(SELF, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { port: number }) => resolve({ proc, port: m.port }));
    proc.once('exit', (code) => reject(new Error(`bench child ${args.join(' ')} exited with ${code}`)));
  });
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measure(url: string, connections: number): Promise<Figures> {
  // The cookie exercises the seed's regex route on every request (it does not match: default route).
  const r = await autocannon({ url, connections, duration: SECONDS, headers: { cookie: 'session=abc' } });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const pooling: string[] = [];

interface ChildStats {
  connections: number;
  requests: number;
  cpuMs: number;
}

async function childStats(proc: ChildProcess): Promise<ChildStats> {
  proc.send('stats');
  const [m] = (await once(proc, 'message')) as [ChildStats];
  return m;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the targets in turn ROUNDS times (so background load hits them alike) and keeps medians. */
async function compare(
  urls: Record<string, string>,
  connections: number,
  upstream: ChildProcess,
): Promise<Record<string, Figures>> {
  const runs: Record<string, Figures[]> = {};
  for (const url of Object.values(urls)) await autocannon({ url, connections, duration: 1 }); // warm-up
  let opened = 0;
  let served = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of Object.entries(urls)) {
      const before = name === 'gateway' ? await childStats(upstream) : undefined;
      (runs[name] ??= []).push(await measure(url, connections));
      if (before) {
        const after = await childStats(upstream);
        opened += after.connections - before.connections;
        served += after.requests - before.requests;
      }
    }
  }
  pooling.push(
    `${connections} connections: the gateway opened ${opened} upstream connections for ${served} requests (pool warmed up first)`,
  );
  const out: Record<string, Figures> = {};
  for (const [name, fs] of Object.entries(runs)) {
    out[name] = {
      rps: median(fs.map((f) => f.rps)),
      p50: median(fs.map((f) => f.p50)),
      p99: median(fs.map((f) => f.p99)),
      errors: fs.reduce((a, f) => a + f.errors, 0),
    };
  }
  return out;
}

async function main(): Promise<void> {
  const upstream = await child(['upstream']);
  const gateway = await child(['gateway', String(upstream.port)]);
  const bare = await child(['bare', String(upstream.port)]);
  try {
    const urls = {
      direct: `http://${UPSTREAM_HOST}:${upstream.port}/`,
      gateway: `http://127.0.0.1:${gateway.port}/`,
      bare: `http://127.0.0.1:${bare.port}/`,
    };
    const rows: string[] = [];
    const procs = { upstream: upstream.proc, gateway: gateway.proc, 'bare proxy': bare.proc };
    const before = await Promise.all(Object.values(procs).map(childStats));
    for (const c of CONCURRENCY) {
      const { direct, gateway: via, bare: b } = await compare(urls, c, upstream.proc);
      rows.push(
        `| ${c} | ${direct!.rps.toFixed(0)} | ${direct!.p50} / ${direct!.p99} | ${via!.rps.toFixed(0)} | ${via!.p50} / ${via!.p99} | ${((100 * via!.rps) / direct!.rps).toFixed(0)}% | ${via!.p99 - direct!.p99} | ${b!.rps.toFixed(0)} (${((100 * b!.rps) / direct!.rps).toFixed(0)}%) | ${direct!.errors + via!.errors + b!.errors} |`,
      );
    }
    const os = await import('node:os');
    console.log(
      `gateway vs direct: medians of ${ROUNDS} interleaved runs of ${SECONDS} s; node ${process.version}; ${os.cpus().length} cpus; load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    console.log(
      '| connections | direct req/s | direct p50 / p99 ms | gateway req/s | gateway p50 / p99 ms | gateway/direct | added p99 ms | bare node proxy req/s | errors |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    for (const line of pooling) console.log(line);
    // CPU per request hardly depends on background load, unlike req/s and latency.
    const after = await Promise.all(Object.values(procs).map(childStats));
    const perRequest = Object.keys(procs).map((name, i) => {
      const us = (1000 * (after[i]!.cpuMs - before[i]!.cpuMs)) / (after[i]!.requests - before[i]!.requests);
      return `${name} ${us.toFixed(0)} µs`;
    });
    console.log(`CPU (user + sys) per request served: ${perRequest.join(', ')}`);
  } finally {
    for (const c of [upstream, gateway, bare]) c.proc.disconnect();
  }
}

const [role, arg] = process.argv.slice(2);
// Children leave when the parent does (and flush a --cpu-prof profile on the way out).
if (role) process.on('disconnect', () => process.exit(0));
if (role === 'upstream') await runUpstream();
else if (role === 'gateway') await runGateway(Number(arg));
else if (role === 'bare') await runBareProxy(Number(arg));
else await main();
