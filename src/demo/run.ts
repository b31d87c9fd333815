// The demo: a whole blue-green cycle on the embedded local cluster under live traffic, then a
// timeline and a table per phase. It fails (exit 1) if any plain user request failed, or if a
// plain user reached the color under test before it was promoted.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { startLocalCluster, type LocalCluster } from '../local/cluster.js';
import { startTraffic, type Traffic } from './traffic.js';
import { phaseStats, renderTable, type PhaseMark, type PhaseStats } from './report.js';
import { createColorSecrets, registerDemoImages, writeDemoConfig } from './setup.js';
import { cliStepRunner, type StepResult } from './steps.js';
import { OperationFailedError } from '../errors.js';
import { addDemoAnalysis, badReleaseFigures, type BadReleaseFigures } from './bad-release.js';

export interface DemoOptions {
  propagationDelayMs: number;
  drainSeconds: number;
  plainLoops: number;
  stateDir?: string;
  reportFile?: string;
  log: Writable;
  signal: AbortSignal;
  /** Serve the dashboard over the demo cluster while it runs (its URL is printed first). */
  dashboard?: boolean;
  /** Told the dashboard's access token, which the printed URL must show (the CLI's redactor). */
  showToken?: (token: string) => void;
  /** After the cycle, release a bad v3 that post-promotion analysis rolls back by itself. */
  badRelease?: boolean;
}

export interface DemoReport {
  ok: boolean;
  propagationDelayMs: number;
  totals: {
    requests: number;
    plainRequests: number;
    testRequests: number;
    plainFailures: number;
    plainLeaks: number;
  };
  phases: PhaseStats[];
  steps: Array<{ step: string; exitCode: number; ms: number; result: unknown }>;
  timeline: string[];
  /** With --bad-release: how long users were on v3 and how many of their requests failed. */
  badRelease?: BadReleaseFigures;
}

interface Session {
  cluster: LocalCluster;
  run: (args: string[]) => Promise<StepResult>;
  traffic?: Traffic;
  marks: PhaseMark[];
  steps: DemoReport['steps'];
  timeline: string[];
  log: Writable;
  configFile?: string;
}

async function step(
  s: Session,
  name: string,
  args: string[],
  forbidden?: string,
  expectedExit = 0,
): Promise<StepResult> {
  const startMs = s.traffic ? performance.now() - s.traffic.startedAt : 0;
  s.log.write(`\n▶ ${name}: cutover ${args.join(' ')}\n`);
  const r = await s.run(args);
  const endMs = s.traffic ? performance.now() - s.traffic.startedAt : 0;
  s.steps.push({ step: name, exitCode: r.exitCode, ms: Math.round(r.ms), result: r.json });
  const when = s.traffic ? `${(startMs / 1000).toFixed(1).padStart(6)}s` : ' start ';
  const effect = (r.json as { timeToEffectMs?: number } | undefined)?.timeToEffectMs;
  const measured = effect === undefined ? '' : `; in effect at the gateway ${effect} ms after the switch`;
  s.timeline.push(`${when}  ${name} (${(r.ms / 1000).toFixed(1)} s, exit ${r.exitCode}${measured})`);
  if (s.traffic) s.marks.push({ name, startMs, endMs, forbiddenPlainVersion: forbidden });
  if (r.exitCode !== expectedExit) {
    throw new OperationFailedError(
      `demo step "${name}" ended with exit code ${r.exitCode}, not ${expectedExit}`,
      {
        remedy: r.stderr.split('\n').filter(Boolean).slice(-5).join('\n'),
      },
    );
  }
  return r;
}

async function waitStep(s: Session, name: string, seconds: number, signal: AbortSignal): Promise<void> {
  const startMs = performance.now() - s.traffic!.startedAt;
  s.log.write(`\n▶ ${name}: ${seconds} s\n`);
  await new Promise<void>((done) => {
    const t = setTimeout(done, seconds * 1000);
    signal.addEventListener('abort', () => (clearTimeout(t), done()), { once: true });
  });
  const endMs = performance.now() - s.traffic!.startedAt;
  s.marks.push({ name, startMs, endMs });
  s.timeline.push(`${(startMs / 1000).toFixed(1).padStart(6)}s  ${name} (${seconds} s)`);
}

async function cycle(s: Session, options: DemoOptions): Promise<void> {
  await step(s, 'release v1 (first release, empty namespace)', [
    'release',
    '--image',
    'demo/myapp:v1',
    '--release',
    'demo-v1',
  ]);
  // With a bad release the users browse /all: the demo app spares only its readiness path.
  s.traffic = startTraffic({
    url: s.cluster.gatewayUrl,
    path: options.badRelease ? '/all' : undefined,
    plainLoops: options.plainLoops,
    testLoops: 1,
  });
  await waitStep(s, 'steady on v1', 2, options.signal);
  await step(
    s,
    'deploy v2 to the idle color',
    ['deploy', '--image', 'demo/myapp:v2', '--release', 'demo-v2'],
    'v2',
  );
  await step(s, 'smoke-test v2 through the test cookie', ['test', '--release', 'demo-v2'], 'v2');
  await step(s, 'promote v2', ['promote', '--release', 'demo-v2']);
  await step(s, 'rollback to v1', ['rollback']);
  await step(s, 'promote v2 again', ['promote', '--release', 'demo-v2']);
  await waitStep(s, 'drain window', options.drainSeconds, options.signal);
  await step(s, 'decommission the old color', ['decommission']);
  await waitStep(s, 'steady on v2', 2, options.signal);
  if (options.badRelease) await badRelease(s, options);
}

async function badRelease(s: Session, options: DemoOptions): Promise<void> {
  await addDemoAnalysis(s.configFile!);
  s.timeline.push(
    `         (cutover.yaml gains analysis: success-rate ≥ 95 %, latency-p99 ≤ 500 ms after promotion)`,
  );
  const args = ['release', '--image', 'demo/myapp:v3', '--release', 'demo-v3'];
  await step(s, 'release a bad v3 (20 % of requests fail): rolled back automatically', args, undefined, 1);
  s.marks[s.marks.length - 1]!.note = 'v3 fails 1 request in 5 until the rollback';
  await waitStep(s, 'steady on v2 after the automatic rollback', 2, options.signal);
}

function summarize(s: Session, options: DemoOptions): DemoReport {
  const samples = s.traffic?.samples ?? [];
  const phases = phaseStats(samples, s.marks);
  // The bad release's own failures are the point of --bad-release; every other phase must be clean.
  const expected = new Set(s.marks.filter((m) => m.note?.startsWith('v3 fails')).map((m) => m.name));
  const plain = samples.filter((x) => x.kind === 'plain');
  const totals = {
    requests: samples.length,
    plainRequests: plain.length,
    testRequests: samples.length - plain.length,
    plainFailures: phases.filter((p) => !expected.has(p.phase)).reduce((n, p) => n + p.failures, 0),
    plainLeaks: phases.reduce((n, p) => n + p.plainLeaks, 0),
  };
  const ok = totals.plainFailures === 0 && totals.plainLeaks === 0;
  return {
    ...(options.badRelease ? { badRelease: badReleaseFigures(samples) } : {}),
    ok,
    propagationDelayMs: options.propagationDelayMs,
    totals,
    phases,
    steps: s.steps,
    timeline: s.timeline,
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'cutover-demo-')));
  const log = options.log;
  log.write(
    `starting the local cluster in ${stateDir} (propagation delay ${options.propagationDelayMs} ms)…\n`,
  );
  const cluster = await startLocalCluster({
    stateDir,
    propagationDelayMs: options.propagationDelayMs,
    log: (l) => log.write(`    ${l}\n`),
  });
  const s: Session = {
    cluster,
    run: () => Promise.reject(new Error('not ready')),
    marks: [],
    steps: [],
    timeline: [],
    log,
  };
  let dashboard: { close(): Promise<void> } | undefined;
  try {
    registerDemoImages(cluster);
    await createColorSecrets(cluster, 'default');
    const configFile = await writeDemoConfig(stateDir, options.drainSeconds);
    s.configFile = configFile;
    s.run = cliStepRunner({ kubeconfig: cluster.kubeconfigPath, configFile, log, signal: options.signal });
    log.write(`cluster up: API ${cluster.apiUrl}, gateway ${cluster.gatewayUrl}\n`);
    if (options.dashboard) {
      const { startDemoDashboard } = await import('./dashboard.js');
      const started = await startDemoDashboard({ kubeconfig: cluster.kubeconfigPath, configFile, log });
      dashboard = started;
      if (started.token) options.showToken?.(started.token);
      log.write(`watch it live: ${started.url}\n`);
    }
    await cycle(s, options);
  } finally {
    await s.traffic?.stop();
    await dashboard?.close();
    await cluster.stop();
    if (!options.stateDir) await rm(stateDir, { recursive: true, force: true });
  }
  const report = summarize(s, options);
  if (options.reportFile) await writeFile(options.reportFile, JSON.stringify(report, null, 2) + '\n');
  log.write(`\nTimeline\n${report.timeline.join('\n')}\n\nPer phase\n${renderTable(report.phases)}\n`);
  const b = report.badRelease;
  if (b)
    log.write(
      `\nBad release v3: users were on it for ${(b.exposureMs / 1000).toFixed(1)} s (${b.plainRequestsToBad} plain requests) until the automatic rollback; ${b.failedPlainRequests} plain requests failed meanwhile\n`,
    );
  return report;
}
