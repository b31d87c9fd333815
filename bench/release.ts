// Figures for the release engine and its CLI:
//   node --import tsx bench/release.ts
// - CLI start-up: `cutover --version` and `cutover status` (the built CLI, bin/cutover.js);
// - time cutover adds to a release beyond waiting for pods, hooks and smoke tests;
// - API requests one `cutover release` makes;
// - rollback time until verified through the gateway, with a propagation delay.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { demoConfig, REPO_ROOT, startHarness } from '../test/engine-harness.js';
import { release } from '../src/engine/release.js';
import { rollback } from '../src/engine/rollback.js';
import type { StepRecord } from '../src/engine/steps.js';

const PROPAGATION_MS = 100;
const CYCLES = Number(process.env.BENCH_CYCLES ?? 3);
const BIN = join(REPO_ROOT, 'bin', 'cutover.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// Asynchronous: the local cluster runs in this process and must keep answering meanwhile.
function runOnce(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`cutover ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve(performance.now() - t0);
    });
  });
}

async function timeCli(args: string[], env: Record<string, string>, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await runOnce(args, env));
  return median(times);
}

/** Steps whose time is the app's (pods starting, hooks, tests), not cutover's. */
const WAITING = [/^wait for every/, /^pre-test hooks/, /^smoke tests/];
const PROBING = [/^send testers to/, /^switch all traffic/];

function split(steps: StepRecord[]) {
  const sum = (f: (s: StepRecord) => boolean) => steps.filter(f).reduce((a, s) => a + s.ms, 0);
  return {
    waiting: sum((s) => WAITING.some((re) => re.test(s.name))),
    probing: sum((s) => PROBING.some((re) => re.test(s.name))),
  };
}

async function main() {
  if (!existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    spawnSync('npx', ['tsc', '-p', REPO_ROOT], { stdio: 'inherit' });
  }
  const h = await startHarness({ propagationDelayMs: PROPAGATION_MS });
  try {
    await h.writeConfig(demoConfig(h, { leaseDurationSeconds: 60 }));
    const env = { ...h.env };
    const version = await timeCli(['--version'], env);
    const statusMs = await timeCli(['status', '-f', h.configPath], env);
    const added: number[] = [];
    const addedNoProbe: number[] = [];
    const requests: number[] = [];
    const rollbackVerified: number[] = [];
    const rollbackTotal: number[] = [];
    for (let i = 0; i < CYCLES; i++) {
      const ctx = await h.context();
      const r = await release(ctx, { image: `demo/myapp:v${(i % 2) + 1}`, release: `bench-${i}` });
      const steps = [...r.deploy.steps, ...(r.test?.steps ?? []), ...(r.promote?.steps ?? [])];
      const { waiting, probing } = split(steps);
      added.push(r.durationMs - waiting);
      addedNoProbe.push(r.durationMs - waiting - probing);
      requests.push(ctx.kube.requestCount);
      if (i > 0) {
        const rctx = await h.context();
        const rb = await rollback(rctx, {});
        rollbackVerified.push(rb.verifiedMs ?? NaN);
        rollbackTotal.push(rb.durationMs);
        // Back to the release just made, so the next cycle deploys to the idle color.
        await rollback(await h.context(), {});
      }
    }
    const figures = {
      'cutover --version (ms, median of 5)': Math.round(version),
      'cutover status (ms, median of 5, local cluster)': Math.round(statusMs),
      'release: time cutover adds beyond pods, hooks and tests (ms, median)': Math.round(median(added)),
      '  of which not probing the gateway for the new color (ms, median)': Math.round(median(addedNoProbe)),
      'release: API requests (median)': median(requests),
      [`rollback: verified after the write (ms, median; propagation ${PROPAGATION_MS} ms)`]: Math.round(
        median(rollbackVerified),
      ),
      'rollback: whole command incl. lock and history (ms, median)': Math.round(median(rollbackTotal)),
    };
    for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(78)} ${v}`);
  } finally {
    await h.stop();
  }
}

await main();
