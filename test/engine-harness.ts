// Shared by the engine-*.test.ts end-to-end tests: a local cluster started in-process, the demo
// app registered as images v1 and v2, a cutover.yaml for it, the engine run in-process against
// the cluster over HTTP, and the CLI run as its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startLocalCluster, type LocalCluster } from '../src/local/cluster.js';
import { loadConfig } from '../src/config/index.js';
import { connect } from '../src/kube/index.js';
import type { KubeClient } from '../src/kube/types.js';
import { createContext, type EngineContext } from '../src/engine/context.js';
import { defaultDeps } from '../src/engine/default-deps.js';
import type { EngineLog, StepEvent } from '../src/engine/deps.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEMO_APP = join(REPO_ROOT, 'examples', 'demo-app');
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface Harness {
  dir: string;
  cluster: LocalCluster;
  configPath: string;
  env: Record<string, string>;
  kube: KubeClient;
  /** Everything the engine logged, for the secret-leak checks. */
  logs: string[];
  /** A fresh engine context (one per operation, as one CLI run would have). */
  context(options?: { dryRun?: boolean; env?: Record<string, string> }): Promise<EngineContext>;
  writeConfig(config: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export function demoConfig(
  h: { cluster: LocalCluster },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    app: 'myapp',
    namespace: 'default',
    env: { DB_HOST: h.cluster.database!.host, DB_PORT: String(h.cluster.database!.port) },
    smokeTests: [
      { name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } },
      { name: 'ping', exec: { command: ['npm', 'run', 'ping'] } },
    ],
    hooks: { preTest: [{ name: 'migrate', exec: { command: ['npm', 'run', 'migrate'] } }] },
    drainSeconds: 2,
    verifyTimeoutSeconds: 30,
    rolloutTimeoutSeconds: 90,
    leaseDurationSeconds: 5,
    lockTimeoutSeconds: 120,
    ...extra,
  };
}

export async function startHarness(
  options: {
    propagationDelayMs?: number;
    config?: Record<string, unknown>;
    prometheus?: boolean;
    /** The API server a network away (LocalClusterOptions.apiLatencyMs); 0 by default. */
    apiLatencyMs?: number;
  } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-e2e-'));
  const cluster = await startLocalCluster({
    stateDir: join(dir, 'state'),
    apiPort: 0,
    gatewayPort: 0,
    propagationDelayMs: options.propagationDelayMs ?? 100,
    prometheus: options.prometheus ? { port: 0 } : undefined,
    apiLatencyMs: options.apiLatencyMs,
  });
  for (const v of ['v1', 'v2', 'v3']) {
    cluster.images.add(`demo/myapp:${v}`, {
      dir: DEMO_APP,
      env: { APP_VERSION: v },
      command: ['node', '--import', 'tsx', 'src/app.ts'],
    });
  }
  const configPath = join(dir, 'cutover.yaml');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    KUBECONFIG: cluster.kubeconfigPath,
    CI: 'true',
  };
  const kube = connect({ kubeconfig: cluster.kubeconfigPath, env });
  const logs: string[] = [];
  const log: EngineLog = {
    step: (e: StepEvent) => logs.push(`${e.operation}: ${e.step} ${e.status} ${e.detail ?? ''}`),
    info: (m) => logs.push(m),
    warn: (m) => logs.push(`warning: ${m}`),
  };
  const h: Harness = {
    dir,
    cluster,
    configPath,
    env,
    kube,
    logs,
    async writeConfig(config) {
      await writeFile(configPath, stringify(config));
    },
    async context(o = {}) {
      const e = { ...env, ...(o.env ?? {}) };
      const config = loadConfig(configPath, { env: e });
      const client = connect({ kubeconfig: cluster.kubeconfigPath, env: e });
      return createContext({ config, kube: client, deps: defaultDeps(log, e), dryRun: o.dryRun });
    },
    async stop() {
      kube.close();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await h.writeConfig(options.config ?? demoConfig(h));
  return h;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts `cutover ARGS` from source as its own process. */
export function spawnCli(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): { child: ChildProcess; done: Promise<CliRun>; stderrSoFar: () => string } {
  const code = `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', code, '--', ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ code: status ?? (signal ? 137 : 1), stdout, stderr }));
  });
  return { child, done, stderrSoFar: () => stderr };
}

export function runCli(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CliRun> {
  return spawnCli(args, options).done;
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every replica of a color is ready (probes can fail for a while on a loaded machine). */
export async function waitReady(h: Harness, color: 'blue' | 'green', timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `every ${color} replica ready`,
    async () => {
      const dep = await h.kube.getOptional({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: `myapp-${color}`,
        namespace: 'default',
      });
      const st = (dep?.status ?? {}) as { readyReplicas?: number; availableReplicas?: number };
      const want = (dep?.spec as { replicas?: number } | undefined)?.replicas ?? 1;
      return (st.readyReplicas ?? 0) >= want && (st.availableReplicas ?? 0) >= want ? true : undefined;
    },
    timeoutMs,
  );
}

/** `Kind/name` → resourceVersion ('absent' when missing) of these objects in `default`: "nothing written". */
export async function resourceVersions(
  h: Harness,
  objects: ReadonlyArray<readonly [apiVersion: string, kind: string, name: string]>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [apiVersion, kind, name] of objects) {
    const o = await h.kube.getOptional({ apiVersion, kind, name, namespace: 'default' });
    out[`${kind}/${name}`] = o?.metadata.resourceVersion ?? 'absent';
  }
  return out;
}
