// Where `cutover rollback` spends its time from process start until its route write, seen from
// outside: the built CLI (bin/cutover.js) talks to the local cluster through a loopback proxy that
// stamps each API request with the time since the process was spawned. Setup (v1 then v2 released
// and promoted) runs in-process and is not measured. Prints, per run, each request's arrival time,
// and the medians of: first request (process start + module loading + config), lock taken (the
// Lease PUT), state read under the lock (the last Deployment GET before the write), route written
// (the switch takes effect after this plus the propagation delay), exit.
//
//   node --import tsx bench/rollback-breakdown.ts        (BENCH_RUNS=7; `npm run build` first)
//
// BENCH_COMPARE=DIR[,DIR…] also runs the built CLI of other checkouts (DIR/bin/cutover.js, built
// there) against the same cluster, alternating run by run, and prints a column for each and the
// ratio of this checkout's figure to the first other one's.
// BENCH_CPU_PROF=DIR writes a V8 CPU profile of each run there (BENCH_CPU_PROF_INTERVAL_US sets
// its sampling interval, 250 µs unless told; V8's default is 1000) and prints the medians of the start-up's steps
// from them (bench/cpu-profile-steps.ts).
// BENCH_API_LATENCY_MS=MS puts the API server MS away (`local up --api-latency-ms`: every request
// answered MS late, a connection's first 2 × MS), where each round and each new connection costs.
// The first run's listing names each request's connection (#1, #2, …); "conns" counts them.
// BENCH_MARKS=1 also stamps the start inside the process (bench/child-marks.cjs, preloaded): when
// the process began after the spawn, when Node had started (the first line of JavaScript outside
// Node), and when cutover created its first request; the proxy's "first" is when that request
// reached the API server. The preload itself costs a few tenths of a millisecond.
import { spawn } from 'node:child_process';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { demoConfig, REPO_ROOT, startHarness } from '../test/engine-harness.js';
import { release } from '../src/engine/release.js';
import { promote } from '../src/engine/promote.js';
import { profileSteps, STEPS } from './cpu-profile-steps.js';
import { readMarkLines, startMarks } from './start-marks.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PROFILES = process.env.BENCH_CPU_PROF;
const profileName = (checkout: number, run: number) => `rollback-${checkout}-${run}.cpuprofile`;
const MARKS = process.env.BENCH_MARKS === '1';
const ROWS = [
  ...(MARKS ? (['process', 'node', 'request'] as const) : []),
  'first',
  'lock',
  'read',
  'write',
  'exit',
  'conns',
] as const;
type Row = (typeof ROWS)[number];

interface Stamp {
  ms: number;
  what: string;
  /** Which of the proxy's client connections it came on, numbered as they open. */
  connection: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** The figures of one run, from the proxy's stamps. */
function figures(
  stamps: Stamp[],
  exitMs: number,
): Record<'first' | 'lock' | 'read' | 'write' | 'exit' | 'conns', number> {
  const writeAt = stamps.findIndex((s) => /^(PUT|PATCH) .*virtualservices/.test(s.what));
  if (writeAt < 0) throw new Error('the rollback wrote no route');
  const before = stamps.slice(0, writeAt);
  const leasePut = before.find((s) => /^(PUT|POST) .*\/leases/.test(s.what));
  const reads = before.filter((s) => s.what.includes('/deployments/'));
  return {
    first: stamps[0]!.ms,
    lock: leasePut?.ms ?? NaN,
    read: reads[reads.length - 1]?.ms ?? NaN,
    write: stamps[writeAt]!.ms,
    exit: exitMs,
    conns: new Set(stamps.map((s) => s.connection)).size,
  };
}

async function main() {
  const h = await startHarness({
    propagationDelayMs: 0,
    apiLatencyMs: Number(process.env.BENCH_API_LATENCY_MS ?? 0),
  });
  const stamps: Stamp[] = [];
  const connections = new WeakMap<object, number>();
  let opened = 0;
  const upstream = new WeakMap<object, Agent>();
  let t0 = 0;
  const api = new URL(h.cluster.apiUrl);
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!connections.has(req.socket)) connections.set(req.socket, opened++ + 1);
    stamps.push({
      ms: performance.now() - t0,
      what: `${req.method} ${req.url?.split('?')[0]}`,
      connection: connections.get(req.socket)!,
    });
    // One upstream connection per client connection, so that the API server sees the client's
    // connections (with BENCH_API_LATENCY_MS, a connection's first request costs twice).
    let agent = upstream.get(req.socket);
    if (!agent) upstream.set(req.socket, (agent = new Agent({ keepAlive: true, maxSockets: 1 })));
    const up = request(
      { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers, agent },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const kubeconfig = join(h.dir, 'proxied-kubeconfig');
  const port = (proxy.address() as AddressInfo).port;
  await writeFile(
    kubeconfig,
    (await readFile(h.cluster.kubeconfigPath, 'utf8')).replace(api.origin, `http://127.0.0.1:${port}`),
  );
  await h.writeConfig(demoConfig(h, { leaseDurationSeconds: 15 }));
  const checkouts = [
    { name: 'this checkout', root: REPO_ROOT },
    ...(process.env.BENCH_COMPARE?.split(',').filter(Boolean) ?? []).map((dir) => ({ name: dir, root: dir })),
  ];
  try {
    await release(await h.context(), { image: 'demo/myapp:v1' });
    const v2 = await release(await h.context(), { image: 'demo/myapp:v2' });
    const rows = checkouts.map(() => Object.fromEntries(ROWS.map((k) => [k, [] as number[]])));
    const profiles = checkouts.map(() => [] as Array<Record<string, number>>);
    for (let i = 0; i < RUNS; i++) {
      for (const [c, checkout] of checkouts.entries()) {
        // Alternate: rollback (v2 → v1), then promote back in-process (not measured).
        stamps.length = 0;
        const marksFile = join(h.dir, `marks-${i}-${c}.json`);
        const marksEnv = MARKS
          ? {
              NODE_OPTIONS: `--require ${join(REPO_ROOT, 'bench', 'child-marks.cjs')}`,
              BENCH_MARKS_FILE: marksFile,
            }
          : {};
        t0 = performance.now();
        const spawnedAt = performance.timeOrigin + t0;
        const code = await new Promise<number>((resolve, reject) => {
          const dir = process.env.BENCH_CPU_PROF;
          const interval = process.env.BENCH_CPU_PROF_INTERVAL_US ?? '250';
          const prof = dir
            ? [
                '--cpu-prof',
                '--cpu-prof-dir',
                dir,
                '--cpu-prof-name',
                profileName(c, i),
                '--cpu-prof-interval',
                interval,
              ]
            : [];
          const child = spawn(
            process.execPath,
            [...prof, join(checkout.root, 'bin', 'cutover.js'), 'rollback', '-f', h.configPath],
            // A cache folder per checkout: each keeps one code cache per bundle and removes the
            // others', so a shared one would make every alternating run start cold.
            {
              env: {
                ...h.env,
                ...marksEnv,
                KUBECONFIG: kubeconfig,
                XDG_CACHE_HOME: join(h.dir, `cache-${c}`),
              },
              stdio: ['ignore', 'ignore', 'ignore'],
            },
          );
          child.on('error', reject);
          child.on('close', (code) => resolve(code ?? 1));
        });
        const exitMs = performance.now() - t0;
        if (code !== 0) throw new Error(`cutover rollback (${checkout.name}) exited ${code}`);
        const f: Partial<Record<Row, number>> = {
          ...figures(stamps, exitMs),
          ...(MARKS ? startMarks((await readMarkLines(marksFile))[0]!, spawnedAt) : {}),
        };
        for (const k of ROWS) rows[c]![k]!.push(f[k] ?? NaN);
        if (PROFILES) profiles[c]!.push(await profileSteps(join(PROFILES, profileName(c, i))));
        if (i === 0) {
          console.log(`${checkout.name}, first run:`);
          for (const s of stamps)
            console.log(`  ${s.ms.toFixed(0).padStart(5)} ms  #${String(s.connection).padEnd(3)} ${s.what}`);
        }
        await promote(await h.context(), { release: v2.release });
      }
    }
    console.log(`\ncutover rollback, medians of ${RUNS} (ms since spawn, 0 ms propagation):`);
    console.log(
      `  ${'step'.padEnd(8)} ${checkouts.map((c) => c.name.padStart(14)).join(' ')}${checkouts.length > 1 ? '   ratio' : ''}`,
    );
    for (const k of ROWS) {
      const m = rows.map((r) => Math.round(median(r[k]!)));
      const ratio = m.length > 1 ? `   ${(m[0]! / m[1]!).toFixed(2)}` : '';
      console.log(`  ${k.padEnd(8)} ${m.map((x) => String(x).padStart(14)).join(' ')}${ratio}`);
    }
    if (PROFILES) {
      console.log(`\nwhere the CPU went, from the profiles in ${PROFILES} (medians, ms):`);
      for (const { step } of STEPS) {
        const m = profiles.map((p) => median(p.map((x) => x[step]!)).toFixed(1));
        console.log(`  ${step.padEnd(52)} ${m.map((x) => x.padStart(14)).join(' ')}`);
      }
    }
  } finally {
    proxy.close();
    await h.stop();
  }
}

await main();
