// How soon a rollback pressed in the dashboard takes effect at the gateway: from the moment the
// dashboard receives the request until the first plain answer from the old color, with the lock,
// guards and verification kept. The dashboard runs in a process that is already up, so no CLI
// start-up is paid. Alternates rollback and promote on one app; prints median and p90 per
// propagation delay, and the overhead above the delay.
//
//   node --import tsx bench/dashboard-rollback.ts [--delays 0,500] [--rounds 10]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { startHarness, type Harness } from '../test/engine-harness.js';
import { deploy } from '../src/engine/deploy.js';
import { test as smokeTest } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';
import { defaultDeps, httpGet } from '../src/engine/default-deps.js';
import { loadConfig } from '../src/config/index.js';
import { startDashboard, type Dashboard } from '../src/dashboard/index.js';

const { values } = parseArgs({
  options: { delays: { type: 'string', default: '0,500' }, rounds: { type: 'string', default: '10' } },
});
const delays = String(values.delays).split(',').map(Number);
const rounds = Number(values.rounds);

async function version(h: Harness): Promise<string> {
  const res = await fetch(`${h.cluster.gatewayUrl}/ready`);
  await res.arrayBuffer();
  return res.headers.get('x-app-version') ?? '';
}

/** Sends the action and probes the gateway every 2 ms until plain users get `want`. */
async function timed(h: Harness, d: Dashboard, body: object, want: string): Promise<number> {
  const started = performance.now();
  const answer = fetch(`http://127.0.0.1:${d.port}/api/apps/default/myapp/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  let effect: number | null = null;
  while (effect === null) {
    if ((await version(h)) === want) effect = performance.now() - started;
    else await new Promise((r) => setTimeout(r, 2));
    if (performance.now() - started > 30_000) throw new Error(`no ${want} at the gateway after 30 s`);
  }
  const res = await answer;
  if (res.status !== 202) throw new Error(`dashboard answered ${res.status}: ${await res.text()}`);
  return effect;
}

async function waitIdle(d: Dashboard): Promise<void> {
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${d.port}/api/apps/default/myapp`, {
      headers: { authorization: `Bearer ${d.token}` },
    });
    const app = (await res.json()) as { action: { state: string } | null };
    if (app.action?.state !== 'running') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stats(xs: number[]): { median: number; p90: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: Math.round(at(0.5)), p90: Math.round(at(0.9)) };
}

for (const delay of delays) {
  const h = await startHarness({ propagationDelayMs: delay });
  try {
    await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
    await smokeTest(await h.context(), { release: 'r1' });
    await promote(await h.context(), { release: 'r1' });
    await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
    await smokeTest(await h.context(), { release: 'r2' });
    await promote(await h.context(), { release: 'r2' });
    const config = loadConfig(h.configPath, { env: h.env });
    const d = await startDashboard({
      apps: [{ config, configFile: h.configPath }],
      kube: h.kube,
      deps: (log) => defaultDeps(log, h.env),
      http: httpGet,
      address: '127.0.0.1',
      port: 0,
    });
    const rollbacks: number[] = [];
    for (let i = 0; i < rounds; i++) {
      rollbacks.push(await timed(h, d, { action: 'rollback', release: 'r2' }, 'v1'));
      await waitIdle(d);
      await timed(h, d, { action: 'promote', release: 'r2' }, 'v2');
      await waitIdle(d);
    }
    await d.close();
    const s = stats(rollbacks);
    console.log(
      `propagation ${delay} ms: dashboard rollback in effect at the gateway after median ${s.median} ms, p90 ${s.p90} ms ` +
        `(overhead above the delay: median ${s.median - delay} ms, p90 ${s.p90 - delay} ms; ${rounds} rollbacks)`,
    );
  } finally {
    await h.stop();
  }
}
