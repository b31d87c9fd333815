// CLI start-up: `cutover --version` and `cutover status` (the built CLI, bin/cutover.js) against
// a local cluster running in this process. Wall time is what a user waits; CPU time (user + sys
// of the child, from /usr/bin/time when present) is steadier on a loaded machine.
// BENCH_COMPARE=/other/checkout (with its own built dist/) measures that checkout too, with runs
// interleaved, so that before and after see the same load. BENCH_RUNS sets the runs (15).
// The CLI runs with the harness's small environment; BENCH_INHERIT_ENV=1 passes this process's
// environment too (NODE_EXTRA_CA_CERTS, for one, makes every node start parse a CA bundle).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { demoConfig, REPO_ROOT, startHarness } from '../test/engine-harness.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// Asynchronous: the local cluster runs in this process and must keep answering meanwhile.
function runOnce(bin: string, args: string[], env: Record<string, string>): Promise<Sample> {
  const [cmd, argv] = TIME
    ? [TIME, ['-f', 'cpu %U %S', process.execPath, bin, ...args]]
    : [process.execPath, [bin, ...args]];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`cutover ${args.join(' ')} exited ${code}: ${stderr}`));
      const m = /cpu (\S+) (\S+)\s*$/.exec(stderr);
      resolve({ wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN });
    });
  });
}

async function main() {
  const roots = [REPO_ROOT, ...(process.env.BENCH_COMPARE ? [process.env.BENCH_COMPARE] : [])];
  if (!existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    spawnSync('npx', ['tsc', '-p', REPO_ROOT], { stdio: 'inherit' });
  }
  const h = await startHarness();
  try {
    await h.writeConfig(demoConfig(h));
    const env = process.env.BENCH_INHERIT_ENV === '1' ? { ...process.env, ...h.env } : h.env;
    const cases = [['--version'], ['status', '-f', h.configPath]];
    const samples = new Map<string, Sample[]>();
    for (let i = 0; i < RUNS; i++) {
      for (const args of cases) {
        for (const root of roots) {
          const key = `${root}\u0000${args[0]}`;
          samples.set(key, [
            ...(samples.get(key) ?? []),
            await runOnce(join(root, 'bin', 'cutover.js'), args, env as Record<string, string>),
          ]);
        }
      }
    }
    for (const [key, xs] of samples) {
      const [root, cmd] = key.split('\u0000');
      const wall = Math.round(median(xs.map((s) => s.wallMs)));
      const cpu = Math.round(median(xs.map((s) => s.cpuMs)));
      console.log(
        `${`cutover ${cmd} (${root})`.padEnd(60)} wall ${wall} ms  cpu ${cpu} ms  (median of ${RUNS})`,
      );
    }
  } finally {
    await h.stop();
  }
}

await main();
