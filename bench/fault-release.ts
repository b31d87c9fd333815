// Full release cycles with API faults injected between cutover and the local API server:
//   node --import tsx bench/fault-release.ts                 # 5 % and 20 %, 40 cycles each
//   FAULT_RATES=0.05 FAULT_CYCLES=200 FAULT_SEED=7 node --import tsx bench/fault-release.ts
// Faults (test/helpers/fault-proxy.ts): 500, 503, 409, 429, hang, stall after headers, reset, each
// drawn at random for the given share of API requests from a seeded generator. Each cycle is
// deploy + test + promote of alternating images while users send traffic through the gateway;
// after each, the lock must be free and the default route must name a color with all replicas
// ready. Prints one line per rate (the BENCHMARKS.md table) and every failed cycle's message.
// The client runs with 2 s request clocks (a hung request costs 2 s, not the default 30 s).
import { faultConfig, runFaultCycles, summarize } from '../test/helpers/fault-cycles.js';
import { startHarness } from '../test/engine-harness.js';

const rates = (process.env.FAULT_RATES ?? '0.05,0.2').split(',').map(Number);
const cycles = Number(process.env.FAULT_CYCLES ?? 40);
const seed = Number(process.env.FAULT_SEED ?? 1);

const h = await startHarness({ propagationDelayMs: 50 });
try {
  await h.writeConfig(faultConfig(h));
  for (const rate of rates) {
    const run = await runFaultCycles(h, {
      rate,
      seed,
      cycles,
      onCycle: (o) =>
        process.stderr.write(
          `  ${(rate * 100).toFixed(0)} % cycle ${o.cycle}: exit ${o.exitCode} in ${(o.ms / 1000).toFixed(1)} s, ${o.retries} retries${o.error ? ` — ${o.error}` : ''}${o.problems.length ? ` — PROBLEMS: ${o.problems.join('; ')}` : ''}\n`,
        ),
    });
    process.stdout.write(`${summarize(run)}\n`);
    const kinds = Object.entries(run.byKind)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ');
    process.stdout.write(`  faults injected: ${kinds}\n`);
    for (const o of run.outcomes.filter((x) => x.exitCode !== 0)) {
      process.stdout.write(`  cycle ${o.cycle}: exit ${o.exitCode}: ${o.error}\n`);
    }
  }
} finally {
  await h.stop();
}
