// How fast post-promotion analysis catches a bad release, and whether it ever rolls back a good
// one. On the local cluster, under continuous plain traffic (users browsing /all), with each
// provider (the gateway's own stats; the real Prometheus from `local up --prometheus`):
// - releases failing 100 %, 20 % and 5 % of requests: the time users were on the bad release
//   (first to last plain answer it served: from the switch until users are back on the old
//   color), the failed plain requests in that window, and cutover's own detection time;
// - N healthy releases: how many were rolled back (false rollbacks).
// Every step is the CLI as a separate process, as in CI (ADR 0005).
//
//   npm run build && node --import tsx bench/analysis-detection.ts [--healthy 20] [--providers gateway,prometheus] [--json FILE]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { startLocalCluster } from '../src/local/cluster.js';
import { startTraffic, type TrafficSample } from '../src/demo/traffic.js';
import { createColorSecrets, demoAppDir, registerDemoImages } from '../src/demo/setup.js';
import { cliStepRunner } from '../src/demo/steps.js';

const { values } = parseArgs({
  options: {
    healthy: { type: 'string', default: '20' },
    providers: { type: 'string', default: 'gateway,prometheus' },
    json: { type: 'string' },
  },
});
const HEALTHY = Number(values.healthy);
const PROVIDERS = values.providers!.split(',') as Array<'gateway' | 'prometheus'>;
const FAILING = [100, 20, 5];
const fromSource = import.meta.url.endsWith('.ts') && !demoAppDir().includes('/dist/');

interface BadResult {
  provider: string;
  failPercent: number;
  exitCode: number;
  exposureMs: number;
  failedPlainRequests: number;
  detectedAfterS: number | null;
}

const dir = await mkdtemp(join(tmpdir(), 'cutover-bench-analysis-'));
const cluster = await startLocalCluster({
  stateDir: join(dir, 'state'),
  apiPort: 0,
  gatewayPort: 0,
  propagationDelayMs: 100,
  prometheus: PROVIDERS.includes('prometheus') ? { port: 0 } : undefined,
});
registerDemoImages(cluster);
for (const p of FAILING) {
  cluster.images.add(`demo/myapp:bad${p}`, {
    dir: demoAppDir(),
    env: { APP_VERSION: `bad${p}`, NODE_ENV: 'production', FAIL_PERCENT: String(p) },
    command: fromSource ? ['node', '--import', 'tsx', 'src/app.ts'] : ['node', 'src/app.js'],
  });
}
await createColorSecrets(cluster, 'default');
const configFile = join(dir, 'cutover.yaml');
const log = { write: () => true } as unknown as NodeJS.WritableStream;
const run = cliStepRunner({
  kubeconfig: cluster.kubeconfigPath,
  configFile,
  log: log as never,
  signal: new AbortController().signal,
});

async function writeConfig(analysis?: Record<string, unknown>) {
  const config = {
    app: 'myapp',
    namespace: 'default',
    image: 'demo/myapp',
    secrets: { blue: 'env-blue', green: 'env-green' },
    smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
    hooks: { preTest: [{ name: 'migrate', exec: { command: ['npm', 'run', 'migrate'] } }] },
    drainSeconds: 0,
    leaseDurationSeconds: 15,
    ...(analysis ? { analysis } : {}),
  };
  await writeFile(configFile, stringify(config));
}

const analysisFor = (provider: 'gateway' | 'prometheus') => ({
  provider,
  ...(provider === 'prometheus' ? { prometheus: { address: cluster.prometheusUrl, windowSeconds: 5 } } : {}),
  metrics: [
    { name: 'success-rate', min: 99 },
    { name: 'latency-p99', max: 500 },
  ],
  prePromotion: { durationSeconds: 0 },
  postPromotion: { durationSeconds: 10, intervalSeconds: 1 },
});

let n = 0;
async function release(image: string): Promise<{ exitCode: number; stderr: string }> {
  const r = await run(['release', '--image', image, '--release', `b${++n}`]);
  return { exitCode: r.exitCode, stderr: r.stderr };
}

await writeConfig();
const first = await release('demo/myapp:v1');
if (first.exitCode !== 0) throw new Error(`first release failed:\n${first.stderr}`);
const traffic = startTraffic({
  url: cluster.gatewayUrl,
  path: '/all',
  plainLoops: 4,
  testLoops: 0,
  pauseMs: 5,
});

function exposure(samples: TrafficSample[], version: string) {
  const bad = samples.filter((s) => s.kind === 'plain' && s.version === version);
  if (bad.length === 0) return { exposureMs: 0, failedPlainRequests: 0 };
  const from = bad[0]!.at;
  const to = bad[bad.length - 1]!.at + bad[bad.length - 1]!.latencyMs;
  const failed = samples.filter(
    (s) => s.kind === 'plain' && s.at >= from && s.at <= to && (s.status === 0 || s.status >= 500),
  );
  return { exposureMs: Math.round(to - from), failedPlainRequests: failed.length };
}

const bad: BadResult[] = [];
const healthy: Array<{ provider: string; releases: number; rolledBack: number; failedExits: number }> = [];
try {
  for (const provider of PROVIDERS) {
    await writeConfig(analysisFor(provider));
    for (const p of FAILING) {
      const start = traffic.samples.length;
      const r = await release(`demo/myapp:bad${p}`);
      const detected = /failed after ([\d.]+) s/.exec(r.stderr);
      const e = exposure(traffic.samples.slice(start), `bad${p}`);
      bad.push({
        provider,
        failPercent: p,
        exitCode: r.exitCode,
        ...e,
        detectedAfterS: detected ? Number(detected[1]) : null,
      });
      console.error(
        `${provider} ${p}%: exit ${r.exitCode}, users on it ${e.exposureMs} ms, ${e.failedPlainRequests} failed`,
      );
    }
    let rolledBack = 0;
    let failedExits = 0;
    for (let i = 0; i < HEALTHY; i++) {
      const r = await release(`demo/myapp:${i % 2 ? 'v1' : 'v2'}`);
      if (r.exitCode !== 0) failedExits++;
      if (/Rolled back automatically/.test(r.stderr)) rolledBack++;
      if (r.exitCode !== 0) console.error(r.stderr.split('\n').filter(Boolean).slice(-3).join('\n'));
    }
    healthy.push({ provider, releases: HEALTHY, rolledBack, failedExits });
    console.error(
      `${provider}: ${rolledBack} false rollbacks in ${HEALTHY} healthy releases (${failedExits} non-zero exits)`,
    );
  }
} finally {
  await traffic.stop();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}

console.log(
  '| provider | failing | users on the bad release (switch → back on the old color) | failed plain requests meanwhile | cutover detected after |',
);
console.log('|---|---|---|---|---|');
for (const b of bad)
  console.log(
    `| ${b.provider} | ${b.failPercent} % | ${(b.exposureMs / 1000).toFixed(1)} s | ${b.failedPlainRequests} | ${b.detectedAfterS ?? '-'} s${b.exitCode === 1 ? '' : ` (exit ${b.exitCode}!)`} |`,
  );
console.log('');
console.log('| provider | healthy releases | false rollbacks |');
console.log('|---|---|---|');
for (const h of healthy) console.log(`| ${h.provider} | ${h.releases} | ${h.rolledBack} |`);
if (values.json) await writeFile(values.json, JSON.stringify({ bad, healthy }, null, 2) + '\n');
