// Where `cutover rollback` spends its time from process start until its route write, seen from
// outside: the built CLI (bin/cutover.js) talks to the local cluster through a loopback proxy that
// stamps each API request with the time since the process was spawned. Setup (v1 then v2 released
// and promoted) runs in-process and is not measured. Prints, per run, each request's arrival time,
// and the medians of: first request (process start + module loading + config), lock taken, state
// read, route written (the switch takes effect after this plus the propagation delay), exit.
//
//   node --import tsx bench/rollback-breakdown.ts        (BENCH_RUNS=7; `npm run build` first)
import { spawn } from 'node:child_process';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { demoConfig, REPO_ROOT, startHarness } from '../test/engine-harness.js';
import { release } from '../src/engine/release.js';
import { promote } from '../src/engine/promote.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

interface Stamp {
  ms: number;
  what: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main() {
  const h = await startHarness({ propagationDelayMs: 0 });
  const stamps: Stamp[] = [];
  let t0 = 0;
  const api = new URL(h.cluster.apiUrl);
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    stamps.push({ ms: performance.now() - t0, what: `${req.method} ${req.url?.split('?')[0]}` });
    const up = request(
      { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
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
  try {
    await release(await h.context(), { image: 'demo/myapp:v1' });
    const v2 = await release(await h.context(), { image: 'demo/myapp:v2' });
    const rows: Record<string, number[]> = { first: [], lock: [], read: [], write: [], exit: [] };
    for (let i = 0; i < RUNS; i++) {
      // Alternate: rollback (v2 → v1), then promote back in-process (not measured).
      stamps.length = 0;
      t0 = performance.now();
      const code = await new Promise<number>((resolve, reject) => {
        // BENCH_CPU_PROF=DIR writes a V8 CPU profile of each run there.
        const dir = process.env.BENCH_CPU_PROF;
        const prof = dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
        const child = spawn(
          process.execPath,
          [...prof, join(REPO_ROOT, 'bin', 'cutover.js'), 'rollback', '-f', h.configPath],
          {
            env: { ...h.env, KUBECONFIG: kubeconfig },
            stdio: ['ignore', 'ignore', 'ignore'],
          },
        );
        child.on('error', reject);
        child.on('close', (c) => resolve(c ?? 1));
      });
      const exitMs = performance.now() - t0;
      if (code !== 0) throw new Error(`cutover rollback exited ${code}`);
      const lease = stamps.filter((s) => s.what.includes('/leases'));
      const write = stamps.find((s) => /^(PUT|PATCH) .*virtualservices/.test(s.what));
      rows.first.push(stamps[0]!.ms);
      rows.lock.push(lease[1]?.ms ?? lease[0]!.ms);
      rows.read.push(stamps.find((s) => s.what.includes('/deployments/'))!.ms);
      rows.write.push(write!.ms);
      rows.exit.push(exitMs);
      if (i === 0) for (const s of stamps) console.log(`  ${s.ms.toFixed(0).padStart(5)} ms  ${s.what}`);
      await promote(await h.context(), { release: v2.release });
    }
    console.log(`\ncutover rollback, medians of ${RUNS} (ms since spawn, 0 ms propagation):`);
    for (const [k, xs] of Object.entries(rows)) console.log(`  ${k.padEnd(6)} ${Math.round(median(xs))}`);
  } finally {
    proxy.close();
    await h.stop();
  }
}

await main();
