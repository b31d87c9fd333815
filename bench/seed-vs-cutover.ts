// Runs the seed article's pipeline and cutover's release through the same cycle —
// deploy → test → activate → rollback → activate → decommission — on the embedded local cluster,
// under the same continuous traffic and the same propagation delay, and prints for each:
// failed plain requests, plain requests that reached the color under test before activation,
// wall time and API requests per phase, when the phase's route writes were committed (a watch
// on VirtualServices and DestinationRules, as a controller sees them), and rollback time to
// effect: with both, a rollback's time splits into the command's way to its write and the
// gateway's to the users.
//
//   node --import tsx bench/seed-vs-cutover.ts [--delays 0,500,2000] [--rollbacks N] [--json FILE]
//                                              [--inherit-env] [--api-latency MS] [--marks]
//
// --rollbacks N repeats rollback → activate N times (the rollback in effect is then the median of
// N; each one is listed).
//
// Each tool gets a fresh local cluster with identical settings, so that the two tools' Gateways
// and VirtualServices (both for host "*") never meet on one gateway. At each delay both clusters
// run side by side and the tools take turns phase by phase and rollback by rollback (who goes
// first changes every time), traffic running on the measured tool's cluster only: the two tools'
// rollbacks meet the same machine within a second of each other, where runs one after the other
// met it minutes apart and one run's ratio moved by ±10 %.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, mkdir, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCluster, type LocalCluster } from '../src/local/cluster.js';
import { startTraffic, isFailure, type Traffic, type TrafficSample } from '../src/demo/traffic.js';
import { createColorSecrets, registerDemoImages, writeDemoConfig } from '../src/demo/setup.js';
import { cliStepRunner } from '../src/demo/steps.js';
import { packageRoot } from '../src/package-root.js';
import { connect } from '../src/kube/index.js';
import { readMarkLines, startMarks, type StartMarks } from './start-marks.js';
import { seedJobScript, type SeedJob } from '../examples/seed-pipeline/jobs.js';

interface PhaseResult {
  phase: string;
  ms: number;
  apiRequests: number;
  plainRequests: number;
  plainFailures: number;
  plainLeaks: number;
  /** activate / rollback: from the phase's start until plain users are all on the new version */
  toEffectMs?: number | null;
  /** From the phase's start until the route objects' first and last change of the phase was committed. */
  routeWrittenMs?: [number, number];
  /** --marks, cutover's phases: its process's own stamps, ms from the phase's start. */
  start?: StartMarks;
  ok: boolean;
}

type Tool = 'seed' | 'cutover';

interface RunResult {
  tool: Tool;
  delayMs: number;
  phases: PhaseResult[];
  plainFailures: number;
  plainLeaks: number;
  /** The median of the rollbacks' times to effect (null if any did not take effect in 15 s). */
  rollbackToEffectMs: number | null;
  rollbacksToEffectMs: Array<number | null>;
  /** The rollbacks' first and last route write, medians (ms from each command's start). */
  rollbackRouteWrittenMs: [number, number] | null;
  /** --marks: the medians of the rollbacks' start marks (cutover only). */
  rollbackStart: StartMarks | null;
}

type Phase = 'deploy' | 'test' | 'activate' | 'rollback' | 'activate again' | 'decommission';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

function totalRequests(cluster: LocalCluster): number {
  return Object.values(cluster.requestCounts()).reduce((a, b) => a + b, 0);
}

/**
 * The samples that started at or after `fromMs`, found from the end: samples arrive nearly in
 * start order (one per traffic loop may be out of place), so the bench's own work per check
 * grows with the phase, not with the whole run. The local cluster answers both tools from this
 * process: a check that scanned every sample of the run slowed the API server more for the later
 * phases, and more for the tool that makes more requests.
 */
function samplesSince(samples: TrafficSample[], fromMs: number): TrafficSample[] {
  let i = samples.length;
  let older = 0;
  while (i > 0 && older < 16) {
    i--;
    if (samples[i]!.at < fromMs) older++;
  }
  return samples.slice(i).filter((s) => s.at >= fromMs);
}

/** First moment after `fromMs` from which every plain sample came from `version`. */
function timeToEffect(
  samples: TrafficSample[],
  fromMs: number,
  toMs: number,
  version: string,
): number | null {
  const plain = samplesSince(samples, fromMs).filter((s) => s.kind === 'plain' && s.at < toMs);
  let last = -1;
  plain.forEach((s, i) => {
    if (s.version !== version) last = i;
  });
  const first = plain[last + 1];
  return first ? Math.round(first.at - fromMs) : null;
}

/** Waits (at most 15 s) until 20 plain requests in a row got `version`; returns the time to effect. */
async function waitForEffect(traffic: Traffic, fromMs: number, version: string): Promise<number | null> {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const now = performance.now() - traffic.startedAt;
    const recent = samplesSince(traffic.samples, fromMs)
      .filter((s) => s.kind === 'plain')
      .slice(-20);
    if (recent.length === 20 && recent.every((s) => s.version === version))
      return timeToEffect(traffic.samples, fromMs, now, version);
    await new Promise((d) => setTimeout(d, 50));
  }
  return null;
}

/** Polls the gateway until 20 plain requests in a row get `version` (at most 30 s). */
async function waitUntilServed(url: string, version: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  let inARow = 0;
  while (inARow < 20) {
    if (performance.now() > deadline)
      throw new Error(`the gateway did not serve ${version} within 30 s after setup`);
    const res = await fetch(new URL('/ready', url)).catch(() => undefined);
    inARow = res?.status === 200 && res.headers.get('x-app-version') === version ? inARow + 1 : 0;
    await res?.arrayBuffer();
    if (inARow === 0) await new Promise((d) => setTimeout(d, 50));
  }
}

async function kubectlBin(): Promise<string> {
  const real = execFileSync('readlink', ['-f', execFileSync('which', ['kubectl']).toString().trim()])
    .toString()
    .trim();
  const dir = await mkdtemp(join(tmpdir(), 'seed-bin-'));
  await symlink(join(dirname(real), 'kubectl.1.33'), join(dir, 'kubectl'));
  return dir;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done) => {
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0 && process.env.BENCH_DEBUG) process.stderr.write(err);
      done(code ?? 1);
    });
  });
}

type PhaseRunner = (phase: Phase) => Promise<boolean>;

/** A tool's pipeline on one cluster: its first release, then one phase at a time. */
interface Runner {
  setup: () => Promise<void>;
  run: PhaseRunner;
  /** --marks, cutover: the file its processes append their stamps to. */
  marksFile?: string;
}

/**
 * What a pipeline job gives either tool: a PATH, a HOME of its own, and nothing of the
 * environment this bench runs in (the seed's jobs add the article's variables, cutover's KUBECONFIG
 * and CI). `--inherit-env` gives both this process's environment instead: on Node 20 a
 * NODE_EXTRA_CA_CERTS there is read at every start of a Node process (BENCHMARKS.md).
 */
let inheritEnv = false;

/**
 * `--api-latency MS`: both clusters' API servers answer as one a network away (the round trip,
 * a connection's first request twice; `local up --api-latency-ms`). On loopback a tool pays for
 * how many requests it makes; on a real cluster, for how many it makes one after the other.
 */
let apiLatencyMs = 0;
/**
 * `--marks`: cutover's commands run with bench/child-marks.cjs preloaded (as
 * bench/rollback-breakdown.ts's BENCH_MARKS=1), so that each phase also says, from the process's
 * own clock, when it began, when Node had started and when cutover made its first request: the
 * start-up part of a rollback under this bench's load.
 */
let marks = false;

function jobEnv(home: string): NodeJS.ProcessEnv {
  return inheritEnv ? process.env : { PATH: process.env.PATH, HOME: home };
}

async function seedRunner(cluster: LocalCluster, workDir: string): Promise<Runner> {
  await cp(join(packageRoot(), 'examples', 'seed-manifests'), join(workDir, 'manifests'), {
    recursive: true,
  });
  const bin = await kubectlBin();
  const db = cluster.database!;
  const base: NodeJS.ProcessEnv = {
    ...jobEnv(workDir),
    PATH: `${bin}:${process.env.PATH}`,
    HOME: workDir,
    KUBECONFIG: cluster.kubeconfigPath,
    DOCKER_USERNAME: 'demo',
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    DB_SCHEMA: 'postgres',
    DB_USER: 'postgres',
    DB_PASSWORD: 'seed-secret',
  };
  const job = (name: SeedJob, env: NodeJS.ProcessEnv) =>
    bash(seedJobScript(name), workDir, { ...base, ...env });
  const deploy = async (color: string, version: string, active?: string) =>
    (await job('check', { COLOR_TEST: color })) === 0 &&
    // The article's Deploy block sets only COLOR_TEST: route-test.yml's default route gets an
    // empty subset. Kept as published when `active` is undefined.
    (await job('deploy', {
      COLOR_TEST: color,
      SEMAPHORE_WORKFLOW_ID: version,
      ...(active ? { COLOR_ACTIVE: active } : {}),
    })) === 0;
  const runners: Record<Phase, () => Promise<boolean>> = {
    deploy: () => deploy('green', 'v2'),
    test: async () =>
      (await job('functionalTest', { COLOR_TEST: 'green' })) === 0 &&
      (await job('endpointTest', { COLOR_TEST: 'green' })) === 0,
    activate: async () => (await job('switchTraffic', { COLOR_ACTIVE: 'green' })) === 0,
    rollback: async () => (await job('switchTraffic', { COLOR_ACTIVE: 'blue' })) === 0,
    'activate again': async () => (await job('switchTraffic', { COLOR_ACTIVE: 'green' })) === 0,
    decommission: async () => (await job('decommission', { COLOR_DECOMISSION: 'blue' })) === 0,
  };
  return {
    setup: async () => {
      await mkdir(workDir, { recursive: true });
      const ok =
        (await deploy('blue', 'v1', 'blue')) && (await job('switchTraffic', { COLOR_ACTIVE: 'blue' })) === 0;
      if (!ok)
        throw new Error('seed pipeline: the first release of v1 to blue failed (BENCH_DEBUG=1 shows why)');
    },
    run: (phase) => runners[phase](),
  };
}

async function cutoverRunner(cluster: LocalCluster, workDir: string): Promise<Runner> {
  await createColorSecrets(cluster, 'default');
  // drainSeconds 0: the bench measures the tools' mechanics, not a waiting period; cutover still
  // refuses to decommission while the old color gets traffic.
  const configFile = await writeDemoConfig(workDir, 0);
  const marksFile = join(workDir, 'marks.jsonl');
  const run = cliStepRunner({
    kubeconfig: cluster.kubeconfigPath,
    configFile,
    log: process.stderr,
    signal: new AbortController().signal,
    env: marks
      ? {
          ...jobEnv(workDir),
          NODE_OPTIONS: `--require ${join(packageRoot(), 'bench', 'child-marks.cjs')}`,
          BENCH_MARKS_FILE: marksFile,
        }
      : jobEnv(workDir),
  });
  const ok = async (args: string[]) => (await run(args)).exitCode === 0;
  const runners: Record<Phase, () => Promise<boolean>> = {
    deploy: () => ok(['deploy', '--image', 'demo/myapp:v2', '--release', 'v2']),
    test: () => ok(['test', '--release', 'v2']),
    activate: () => ok(['promote', '--release', 'v2']),
    rollback: () => ok(['rollback']),
    'activate again': () => ok(['promote', '--release', 'v2']),
    decommission: () => ok(['decommission', '--force']),
  };
  return {
    setup: async () => {
      if (!(await ok(['release', '--image', 'demo/myapp:v1', '--release', 'v1'])))
        throw new Error('cutover: the first release of v1 failed');
    },
    run: (phase) => runners[phase](),
    ...(marks ? { marksFile } : {}),
  };
}

/** One tool's cluster, under traffic, and what its phases measured so far. */
interface Side {
  tool: Tool;
  delayMs: number;
  cluster: LocalCluster;
  /** Running only while one of this side's phases is measured (see `measure`). */
  traffic: Traffic | undefined;
  run: PhaseRunner;
  phases: PhaseResult[];
  /** --marks: where cutover's processes leave their stamps. */
  marksFile?: string;
  /** When each change of a VirtualService or DestinationRule reached this process (performance.now()). */
  routeWrites: number[];
  stop(): Promise<void>;
}

/**
 * Watches the cluster's VirtualServices and DestinationRules, as a controller would, and stamps
 * each change as it arrives: the moment a tool's route write was committed, give or take the
 * event's trip through this process (which also runs the API server).
 */
function watchRoutes(cluster: LocalCluster): { writes: number[]; stop(): void } {
  const client = connect({ kubeconfig: cluster.kubeconfigPath, env: {} });
  const abort = new AbortController();
  const writes: number[] = [];
  for (const kind of ['VirtualService', 'DestinationRule']) {
    void (async () => {
      for await (const event of client.watch('networking.istio.io/v1', kind, {
        namespace: '',
        signal: abort.signal,
      }))
        if (event.type !== 'BOOKMARK') writes.push(performance.now());
    })().catch((err: Error) => process.stderr.write(`route watch ended: ${err.message}\n`));
  }
  return { writes, stop: () => abort.abort() };
}

/** A fresh local cluster for `tool`, its first release (v1) served, traffic running. */
async function startSide(tool: Tool, delayMs: number): Promise<Side> {
  let side: Side | undefined;
  const stateDir = await mkdtemp(join(tmpdir(), `bench-${tool}-`));
  const cluster = await startLocalCluster({
    stateDir,
    propagationDelayMs: delayMs,
    apiLatencyMs,
    log: () => {},
  });
  const routes = watchRoutes(cluster);
  const stop = async () => {
    routes.stop();
    await side?.traffic?.stop();
    await cluster.stop();
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    registerDemoImages(cluster);
    const runner =
      tool === 'seed'
        ? await seedRunner(cluster, join(stateDir, 'work'))
        : await cutoverRunner(cluster, stateDir);
    await runner.setup();
    // The setup's routes may not have reached the gateway yet (the seed's jobs return right
    // after `kubectl apply`): measuring starts once users are served v1.
    await waitUntilServed(cluster.gatewayUrl, 'v1');
    side = {
      tool,
      delayMs,
      cluster,
      traffic: undefined,
      run: runner.run,
      phases: [],
      marksFile: runner.marksFile,
      routeWrites: routes.writes,
      stop,
    };
    return side;
  } catch (err) {
    await stop();
    throw err;
  }
}

const TARGET: Partial<Record<string, string>> = { activate: 'v2', rollback: 'v1', 'activate again': 'v2' };

/**
 * Runs one phase on `side` under traffic and records it; a switch is followed until it shows (at
 * most 15 s). The traffic runs only meanwhile: the other tool's cluster stands idle, so each
 * phase meets the load one cluster under traffic makes, as when the tools ran one after the other.
 */
async function measure(side: Side, phase: string, action: () => Promise<boolean>): Promise<void> {
  const traffic = startTraffic({ url: side.cluster.gatewayUrl, plainLoops: 4, testLoops: 1 });
  side.traffic = traffic;
  try {
    await steady(traffic);
    await measureUnderTraffic(side, traffic, phase, action);
  } finally {
    side.traffic = undefined;
    await traffic.stop();
  }
}

/** Waits (at most 10 s) until 20 plain requests have been answered: connections open, loops going. */
async function steady(traffic: Traffic): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (traffic.samples.filter((s) => s.kind === 'plain').length < 20) {
    if (performance.now() > deadline) throw new Error('traffic did not start within 10 s');
    await new Promise((d) => setTimeout(d, 10));
  }
}

async function measureUnderTraffic(
  side: Side,
  traffic: Traffic,
  phase: string,
  action: () => Promise<boolean>,
): Promise<void> {
  const { cluster } = side;
  const api0 = totalRequests(cluster);
  const marked = side.marksFile ? (await readMarkLines(side.marksFile)).length : 0;
  const t0 = performance.now() - traffic.startedAt;
  const ok = await action();
  const t1 = performance.now() - traffic.startedAt;
  const plain = samplesSince(traffic.samples, t0).filter((s) => s.kind === 'plain' && s.at < t1);
  const beforeActivation = phase === 'deploy' || phase === 'test';
  const result: PhaseResult = {
    phase,
    ms: Math.round(t1 - t0),
    apiRequests: totalRequests(cluster) - api0,
    plainRequests: plain.length,
    plainFailures: plain.filter(isFailure).length,
    plainLeaks: beforeActivation ? plain.filter((s) => s.version === 'v2').length : 0,
    ok,
  };
  side.phases.push(result);
  // A person clicks the next button only once the switch shows: both tools get the same wait.
  const version = TARGET[phase];
  if (version) result.toEffectMs = await waitForEffect(traffic, t0, version);
  const start = t0 + traffic.startedAt;
  const end = t1 + traffic.startedAt;
  const writes = side.routeWrites.filter((at) => at >= start && at <= end);
  if (writes.length)
    result.routeWrittenMs = [writes[0]! - start, writes.at(-1)! - start].map(Math.round) as [number, number];
  const line = side.marksFile ? (await readMarkLines(side.marksFile))[marked] : undefined;
  if (line) {
    const m = startMarks(line, performance.timeOrigin + start);
    result.start = {
      process: Math.round(m.process),
      node: Math.round(m.node),
      request: Math.round(m.request),
    };
  }
}

function resultOf(side: Side): RunResult {
  const { tool, delayMs, phases } = side;
  const rollbacksToEffectMs = phases.filter((p) => p.phase === 'rollback').map((p) => p.toEffectMs ?? null);
  const all = rollbacksToEffectMs.filter((ms): ms is number => ms !== null);
  const rollbacks = phases.filter((p) => p.phase === 'rollback');
  const written = rollbacks.filter((p) => p.routeWrittenMs).map((p) => p.routeWrittenMs!);
  const starts = rollbacks.filter((p) => p.start).map((p) => p.start!);
  return {
    tool,
    delayMs,
    phases,
    plainFailures: phases.reduce((n, p) => n + p.plainFailures, 0),
    plainLeaks: phases.reduce((n, p) => n + p.plainLeaks, 0),
    rollbackToEffectMs: all.length === rollbacksToEffectMs.length ? median(all) : null,
    rollbacksToEffectMs,
    rollbackRouteWrittenMs: written.length
      ? [median(written.map((w) => w[0])), median(written.map((w) => w[1]))]
      : null,
    rollbackStart: starts.length
      ? {
          process: median(starts.map((m) => m.process)),
          node: median(starts.map((m) => m.node)),
          request: median(starts.map((m) => m.request)),
        }
      : null,
  };
}

/**
 * Both tools at one delay: their clusters run side by side and their phases alternate — the
 * rollbacks one by one, the first tool changing each time — so that each pair of rollbacks
 * meets the same machine within a second, not minutes apart.
 */
async function runDelay(delayMs: number, rollbacks: number): Promise<RunResult[]> {
  const sides: Side[] = [];
  try {
    for (const tool of ['seed', 'cutover'] as const) sides.push(await startSide(tool, delayMs));
    const step = (side: Side, phase: Phase) => measure(side, phase, () => side.run(phase));
    for (const phase of ['deploy', 'test', 'activate'] as const)
      for (const side of sides) await step(side, phase);
    for (let i = 0; i < rollbacks; i++) {
      for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
        await step(side, 'rollback');
        await step(side, 'activate again');
      }
    }
    for (const side of sides) await step(side, 'decommission');
    // Traffic goes on until the last change has surely reached the gateway: failures caused by
    // a phase but seen after it ended are counted in this row.
    const settle = () => new Promise<boolean>((d) => setTimeout(() => d(true), delayMs + 1500));
    for (const side of sides) await measure(side, 'after (settle)', settle);
    return sides.map(resultOf);
  } finally {
    for (const side of sides) await side.stop();
  }
}

/** "117" for one write, "111–117" from a first to a last. */
function span([first, last]: [number, number]): string {
  return first === last ? `${first}` : `${first}–${last}`;
}

function render(results: RunResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(
      `\n${r.tool} @ ${r.delayMs} ms propagation: ${r.plainFailures} failed plain requests, ${r.plainLeaks} leaked to the color under test, rollback effective after ${r.rollbackToEffectMs ?? '—'} ms${r.rollbacksToEffectMs.length > 1 ? ` (median of ${r.rollbacksToEffectMs.map((ms) => ms ?? '—').join(', ')})` : ''}`,
    );
    lines.push(
      '  phase            ok   wall ms  API req  plain req  failed  leaked  routes written  in effect after',
    );
    for (const p of r.phases) {
      const effect =
        p.toEffectMs === undefined ? '' : p.toEffectMs === null ? 'not within 15 s' : `${p.toEffectMs} ms`;
      const written = p.routeWrittenMs ? `${span(p.routeWrittenMs)} ms` : '';
      lines.push(
        `  ${p.phase.padEnd(16)} ${p.ok ? 'yes' : 'NO '}  ${String(p.ms).padStart(7)}  ${String(p.apiRequests).padStart(7)}  ${String(p.plainRequests).padStart(9)}  ${String(p.plainFailures).padStart(6)}  ${String(p.plainLeaks).padStart(6)}  ${written.padStart(14)}  ${effect}`,
      );
    }
  }
  return lines.join('\n');
}

/** Per delay: the two tools' rollback medians side by side, and cutover's over the seed's. */
function ratios(results: RunResult[]): string {
  const network = apiLatencyMs ? `, API server ${apiLatencyMs} ms away` : '';
  const lines = [
    `\nrollback in effect, from each command's start (median ms${network}): seed / cutover / ratio`,
  ];
  for (const delayMs of [...new Set(results.map((r) => r.delayMs))]) {
    const of = (tool: string) =>
      results.find((r) => r.tool === tool && r.delayMs === delayMs)?.rollbackToEffectMs;
    const seed = of('seed');
    const cutover = of('cutover');
    const ratio = seed && cutover ? (cutover / seed).toFixed(2) : '—';
    lines.push(
      `  @ ${String(delayMs).padStart(4)} ms: ${seed ?? '—'} / ${cutover ?? '—'} / ${ratio}${paired(results, delayMs)}`,
    );
    const written = (tool: string) => {
      const w = results.find((r) => r.tool === tool && r.delayMs === delayMs)?.rollbackRouteWrittenMs;
      return w ? span(w) : '—';
    };
    lines.push(
      `           routes written after (median ms): seed ${written('seed')}, cutover ${written('cutover')}`,
    );
    const promoted = (tool: string) => {
      const phases = results.find((r) => r.tool === tool && r.delayMs === delayMs)?.phases ?? [];
      const ms = phases.filter((p) => p.phase === 'activate again').map((p) => p.toEffectMs);
      return ms.length && ms.every((m) => typeof m === 'number') ? median(ms as number[]) : undefined;
    };
    const [seedUp, cutoverUp] = [promoted('seed'), promoted('cutover')];
    lines.push(
      `           the activations after them (cutover: promote), in effect after (median ms): seed ${seedUp ?? '—'}, cutover ${cutoverUp ?? '—'}${seedUp && cutoverUp ? ` (${(cutoverUp / seedUp).toFixed(2)})` : ''}`,
    );
    const start = results.find((r) => r.tool === 'cutover' && r.delayMs === delayMs)?.rollbackStart;
    if (start)
      lines.push(
        `           cutover's start (median ms): process ${start.process}, Node started ${start.node}, first request ${start.request}`,
      );
  }
  return lines.join('\n');
}

/** The rollbacks pair up (the two tools' i-th ran within a second): the median of the pairs' ratios. */
function paired(results: RunResult[], delayMs: number): string {
  const of = (tool: string) =>
    results.find((r) => r.tool === tool && r.delayMs === delayMs)?.rollbacksToEffectMs;
  const seed = of('seed');
  const cutover = of('cutover');
  if (!seed || !cutover) return '';
  const ratios = seed.flatMap((s, i) => {
    const c = cutover[i];
    return s && c ? [c / s] : [];
  });
  if (ratios.length === 0) return '';
  const sorted = [...ratios].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const med = sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const ahead = ratios.filter((r) => r <= 1).length;
  return `; pairs: median ratio ${med.toFixed(2)}, cutover at or ahead in ${ahead} of ${ratios.length}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      delays: { type: 'string', default: '0,500,2000' },
      rollbacks: { type: 'string', default: '1' },
      json: { type: 'string' },
      'inherit-env': { type: 'boolean', default: false },
      'api-latency': { type: 'string', default: '0' },
      marks: { type: 'boolean', default: false },
    },
  });
  marks = values.marks!;
  inheritEnv = values['inherit-env']!;
  apiLatencyMs = Number(values['api-latency']);
  if (!(apiLatencyMs >= 0)) throw new Error('--api-latency takes a number of milliseconds ≥ 0');
  const delays = values.delays!.split(',').map(Number);
  const rollbacks = Number(values.rollbacks);
  if (!Number.isInteger(rollbacks) || rollbacks < 1) throw new Error('--rollbacks takes a whole number ≥ 1');
  const results: RunResult[] = [];
  for (const delayMs of delays) {
    process.stderr.write(`running both tools at ${delayMs} ms…\n`);
    try {
      results.push(...(await runDelay(delayMs, rollbacks)));
    } catch (err) {
      process.stderr.write(`the run at ${delayMs} ms could not finish: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  }
  process.stdout.write(render(results) + '\n' + ratios(results) + '\n');
  if (values.json) await writeFile(values.json, JSON.stringify(results, null, 2) + '\n');
}

await main();
