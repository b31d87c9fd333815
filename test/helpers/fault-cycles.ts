// Full release cycles (deploy + test + promote, alternating images and colors) against the local
// cluster with the fault proxy between cutover and the API server, under continuous user traffic
// through the gateway. After every cycle, successful or not, the cluster is checked directly (not
// through the proxy): the lock is free, and the default route names a color whose replicas are all
// ready (no half-switched state). Used by test/fault-release.test.ts and bench/fault-release.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/index.js';
import { connect, type KubeClient, type KubeClientOptions, type KubeObject } from '../../src/kube/index.js';
import { createContext } from '../../src/engine/context.js';
import { defaultDeps } from '../../src/engine/default-deps.js';
import { release } from '../../src/engine/release.js';
import { leaseName } from '../../src/lock/index.js';
import { describeError, exitCodeFor } from '../../src/cli/exit.js';
import { isFailure, startTraffic, type Traffic } from '../../src/demo/traffic.js';
import { demoConfig, type Harness } from '../engine-harness.js';
import { startFaultProxy, type FaultKind, type FaultProxy, type FaultProxyOptions } from './fault-proxy.js';

export interface CycleOutcome {
  cycle: number;
  /** 0 when the release completed; else the exit code the CLI would give. */
  exitCode: number;
  /** The error as the CLI prints it (first line), when it failed. */
  error?: string;
  ms: number;
  /** Retries the client logged during the cycle. */
  retries: number;
  /** Every warning of the cycle (client retries, engine re-plans). */
  warnings: string[];
  /** Problems found in the cluster after the cycle (empty = consistent). */
  problems: string[];
}

export interface FaultRun {
  rate: number;
  seed: number;
  outcomes: CycleOutcome[];
  /** API requests the proxy saw and faulted. */
  requests: number;
  faulted: number;
  byKind: Record<FaultKind, number>;
  plainRequests: number;
  plainFailures: number;
}

/**
 * A full cycle with the checks kept cheap (an HTTP smoke test and one exec, no npm hooks): the
 * API traffic is the same as with the demo's config, the wall time is not.
 */
export function faultConfig(h: Harness): Record<string, unknown> {
  return demoConfig(h, {
    smokeTests: [
      { name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } },
      { name: 'exec', exec: { command: ['sh', '-c', 'true'] } },
    ],
    hooks: {},
  });
}

/** Short clocks so a hung request costs seconds, not the production 30 s. */
export const FAULT_CLIENT_OPTIONS: KubeClientOptions = {
  requestTimeoutMs: 2_000,
  idleTimeoutMs: 2_000,
  watchIdleTimeoutMs: 2_000,
  totalTimeoutMs: 5_000,
};

export async function runFaultCycles(
  h: Harness,
  options: {
    rate: number;
    seed: number;
    cycles: number;
    faults?: readonly FaultKind[];
    /** Scripted faults instead of a rate (e.g. an outage of one resource). */
    plan?: FaultProxyOptions['plan'];
    clientOptions?: KubeClientOptions;
    onCycle?: (o: CycleOutcome) => void;
  },
): Promise<FaultRun> {
  const apiUrl = h.cluster.apiUrl;
  const proxy = await startFaultProxy({
    target: apiUrl,
    rate: 0,
    seed: options.seed,
    faults: options.faults,
  });
  const kubeconfig = join(h.dir, `kubeconfig-faults-${options.seed}`);
  await writeFile(kubeconfig, proxiedKubeconfig(proxy));
  const direct = h.kube;
  let traffic: Traffic | undefined;
  const outcomes: CycleOutcome[] = [];
  try {
    // The first release, without faults, so that users have a live color from the start.
    if (!(await liveColor(direct))) await cycle(h, kubeconfig, 0, options.clientOptions);
    traffic = startTraffic({
      url: h.cluster.gatewayUrl,
      path: '/ready',
      plainLoops: 2,
      testLoops: 0,
      pauseMs: 20,
    });
    if (options.plan) proxy.setPlan(options.plan);
    else proxy.setRate(options.rate, options.seed);
    for (let i = 1; i <= options.cycles; i++) {
      const o = await cycle(h, kubeconfig, i, options.clientOptions);
      o.problems = await consistency(direct);
      outcomes.push(o);
      options.onCycle?.(o);
    }
  } finally {
    await traffic?.stop();
    await proxy.close();
  }
  const plain = traffic?.samples.filter((s) => s.kind === 'plain') ?? [];
  return {
    rate: options.rate,
    seed: options.seed,
    outcomes,
    requests: proxy.stats.requests,
    faulted: proxy.stats.faulted,
    byKind: proxy.stats.byKind,
    plainRequests: plain.length,
    plainFailures: plain.filter(isFailure).length,
  };
}

function proxiedKubeconfig(proxy: FaultProxy): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'faulty', cluster: { server: proxy.url } }],
    users: [{ name: 'u', user: {} }],
    contexts: [{ name: 'faulty', context: { cluster: 'faulty', user: 'u', namespace: 'default' } }],
    'current-context': 'faulty',
  });
}

async function cycle(
  h: Harness,
  kubeconfig: string,
  n: number,
  clientOptions: KubeClientOptions = FAULT_CLIENT_OPTIONS,
): Promise<CycleOutcome> {
  const started = Date.now();
  let retries = 0;
  const warnings: string[] = [];
  const log = {
    step: () => {},
    info: () => {},
    warn: (m: string) => {
      warnings.push(m);
      if (/retrying|reading the object back|re-establishing|re-reading|planning .* again/.test(m)) retries++;
    },
  };
  const env = { ...h.env, KUBECONFIG: kubeconfig };
  const kube = connect({ env }, { logger: { debug: () => {}, warn: log.warn } }, clientOptions);
  try {
    const ctx = await createContext({
      config: loadConfig(h.configPath, { env }),
      kube,
      deps: defaultDeps(log, env),
    });
    // Release ids are unique per run: a repeated id is a retry, which cutover resumes instead.
    await release(ctx, { image: `demo/myapp:v${(n % 2) + 1}`, release: `fault-${RUN}-${++releases}` });
    return { cycle: n, exitCode: 0, ms: Date.now() - started, retries, warnings, problems: [] };
  } catch (err) {
    const error = describeError(err).split('\n')[0];
    const ms = Date.now() - started;
    return { cycle: n, exitCode: exitCodeFor(err), error, ms, retries, warnings, problems: [] };
  } finally {
    kube.close();
  }
}

const APPS = 'apps/v1';
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`;
let releases = 0;

async function liveColor(kube: KubeClient): Promise<string | undefined> {
  type Route = { match?: unknown[]; route?: Array<{ destination?: { subset?: string } }> };
  const list = await kube.list('networking.istio.io/v1', 'VirtualService', 'default');
  const vs = list.items.find((v) => v.metadata.name.startsWith('myapp'));
  // The default route is the one without a match: what plain users get.
  const route = ((vs?.spec as { http?: Route[] } | undefined)?.http ?? []).find((r) => !r.match?.length);
  return route?.route?.[0]?.destination?.subset;
}

/** What must hold after any cycle, failed or not. */
async function consistency(kube: KubeClient): Promise<string[]> {
  const problems: string[] = [];
  const lease = await kube.getOptional<KubeObject & { spec?: { holderIdentity?: string } }>({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    name: leaseName('myapp'),
    namespace: 'default',
  });
  if (lease?.spec?.holderIdentity) problems.push(`lock still held by ${lease.spec.holderIdentity}`);
  const color = await liveColor(kube);
  if (!color) return [...problems, 'no default route'];
  const dep = await kube.getOptional({
    apiVersion: APPS,
    kind: 'Deployment',
    name: `myapp-${color}`,
    namespace: 'default',
  });
  const want = (dep?.spec as { replicas?: number } | undefined)?.replicas ?? 0;
  const ready = (dep?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
  if (!dep || want === 0 || ready < want)
    problems.push(`default route on ${color} with ${ready}/${want} ready`);
  return problems;
}

/** One line per fault rate for BENCHMARKS.md. */
export function summarize(run: FaultRun): string {
  const done = run.outcomes.filter((o) => o.exitCode === 0).length;
  const failed = run.outcomes.filter((o) => o.exitCode !== 0);
  const codes = [...new Set(failed.map((o) => o.exitCode))].join('/') || '-';
  const inconsistent = run.outcomes.filter((o) => o.problems.length > 0).length;
  const msSorted = run.outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const median = msSorted[Math.floor(msSorted.length / 2)] ?? 0;
  return [
    `${(run.rate * 100).toFixed(0)} %`,
    `${done}/${run.outcomes.length} completed`,
    `failed exit ${codes}`,
    `${inconsistent} inconsistent`,
    `${run.faulted}/${run.requests} API requests faulted`,
    `${run.plainFailures}/${run.plainRequests} user requests failed`,
    `median cycle ${(median / 1000).toFixed(1)} s`,
  ].join(' | ');
}
