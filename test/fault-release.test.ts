// Releases ride out a flaky API server. Full release cycles run with the fault proxy between
// cutover and the local API server while users send traffic through the gateway: at 5 % of API
// requests faulted every cycle completes; at 20 % the ones that do not stop with exit 1 or 5 and a
// message naming the fault. Always: no user request fails, the lock is free after every cycle and
// the default route names a color whose replicas are all ready. bench/fault-release.ts runs many
// more cycles for BENCHMARKS.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './engine-harness.js';
import { runFaultCycles, summarize } from './helpers/fault-cycles.js';

let h: Harness;
before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
});
after(async () => {
  await h?.stop();
});

test('5 % of API requests faulted: every release cycle completes, users never notice', async () => {
  const run = await runFaultCycles(h, { rate: 0.05, seed: 5, cycles: 4 });
  process.stderr.write(`${summarize(run)}\n`);
  assert.ok(run.faulted > 0, 'faults were injected');
  for (const o of run.outcomes) {
    assert.equal(o.exitCode, 0, `cycle ${o.cycle}: ${o.error}`);
    assert.deepEqual(o.problems, [], `cycle ${o.cycle}`);
  }
  assert.ok(run.plainRequests > 50, `enough user traffic (${run.plainRequests})`);
  assert.equal(run.plainFailures, 0);
});

test('20 % faulted: a cycle that fails stops with exit 1 or 5 naming the fault, and leaves things whole', async () => {
  const run = await runFaultCycles(h, { rate: 0.2, seed: 20, cycles: 3 });
  process.stderr.write(`${summarize(run)}\n`);
  for (const o of run.outcomes) {
    if (o.exitCode !== 0) {
      assert.ok([1, 5].includes(o.exitCode), `cycle ${o.cycle}: exit ${o.exitCode}: ${o.error}`);
      assert.match(
        o.error ?? '',
        /injected fault|answered \d{3}|timed out|within \d+ ms|connection reset|conflict|modified/i,
      );
    }
    assert.deepEqual(o.problems, [], `cycle ${o.cycle}`);
  }
  assert.equal(run.plainFailures, 0);
});
