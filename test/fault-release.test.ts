// Releases ride out a flaky API server. Full release cycles run with the fault proxy between
// cutover and the local API server while users send traffic through the gateway: at 5 % of API
// requests faulted every cycle completes; at 20 % the ones that do not stop with exit 1 or 5 and a
// message naming the fault. Always: no user request fails, the lock is free after every cycle and
// the default route names a color whose replicas are all ready. bench/fault-release.ts runs many
// more cycles for BENCHMARKS.md.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { startHarness, type Harness } from './engine-harness.js';
import type { FaultKind } from './helpers/fault-proxy.js';
import { FAULT_CLIENT_OPTIONS, faultConfig, runFaultCycles, summarize } from './helpers/fault-cycles.js';

let h: Harness;
before(async () => {
  h = await startHarness({ propagationDelayMs: 50 });
  await h.writeConfig(faultConfig(h));
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

test('20 % faulted: every cycle leaves things whole; users never notice', async () => {
  const run = await runFaultCycles(h, { rate: 0.2, seed: 20, cycles: 2 });
  process.stderr.write(`${summarize(run)}\n`);
  for (const o of run.outcomes) {
    if (o.exitCode !== 0)
      assert.ok([1, 5].includes(o.exitCode), `cycle ${o.cycle}: exit ${o.exitCode}: ${o.error}`);
    assert.deepEqual(o.problems, [], `cycle ${o.cycle}`);
  }
  assert.equal(run.plainFailures, 0);
});

test('a 409 on a conditional write: the object is re-read and the step planned again, once', async () => {
  const first = new Set<string>();
  const plan = (_n: number, req: IncomingMessage) => {
    const key = `${req.method} ${req.url?.match(/\/(deployments|virtualservices)\//)?.[1]}`;
    if (!['PUT deployments', 'PATCH virtualservices'].includes(key) || first.has(key)) return undefined;
    first.add(key);
    return '409' as const;
  };
  // Two cycles: the second replaces a Deployment the first may have created.
  const run = await runFaultCycles(h, { rate: 0, seed: 1, cycles: 2, plan });
  const warnings = run.outcomes.flatMap((o) => o.warnings);
  for (const o of run.outcomes) {
    assert.equal(o.exitCode, 0, o.error);
    assert.deepEqual(o.problems, []);
  }
  assert.equal(first.size, 2, 'both writes met a 409');
  const replans = warnings.filter((w) =>
    /conflict on write, but its content is unchanged .* planning ".*" again/.test(w),
  );
  assert.equal(replans.length, 2, warnings.join('\n'));
});

test('a fault that does not go away stops the release with exit 1 or 5 naming it; lock free, route whole', async () => {
  const deployments = (kind: FaultKind) => (_n: number, req: IncomingMessage) =>
    req.url?.includes('/deployments') ? kind : undefined;
  const clientOptions = { ...FAULT_CLIENT_OPTIONS, maxAttempts: 3, retryMaxDelayMs: 200 };
  const failing = await runFaultCycles(h, {
    rate: 0,
    seed: 1,
    cycles: 1,
    plan: deployments('503'),
    clientOptions,
  });
  const hanging = await runFaultCycles(h, {
    rate: 0,
    seed: 1,
    cycles: 1,
    plan: deployments('hang'),
    clientOptions,
  });
  const [down] = failing.outcomes;
  const [hung] = hanging.outcomes;
  assert.equal(down!.exitCode, 1, down!.error);
  assert.match(
    down!.error!,
    /deployments.* answered 503 ServiceUnavailable: injected fault 503 .*\(gave up after 3 attempts/,
  );
  assert.equal(hung!.exitCode, 5, hung!.error);
  assert.match(
    hung!.error!,
    /deployments.*no response headers from http:\/\/127.0.0.1:\d+ within 2000 ms \(gave up after 3 attempts/,
  );
  for (const o of [down!, hung!]) assert.deepEqual(o.problems, []);
  assert.equal(failing.plainFailures + hanging.plainFailures, 0);
});
