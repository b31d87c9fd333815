// `cutover dashboard` as a library: a local web server over the engine for the apps of one or
// more cutover.yaml files, sharing one cluster connection. See docs/dashboard.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '../engine/context.js';
import type { EngineDeps, EngineLog, HttpGet } from '../engine/deps.js';
import { gatewayUrl } from '../engine/gateway-probe.js';
import type { CutoverConfig } from '../config/types.js';
import type { KubeClient } from '../kube/types.js';
import { packageRoot } from '../package-root.js';
import { InputError } from '../errors.js';
import { Redactor } from '../engine/redact.js';
import { Access, checkBinding, newToken } from './access.js';
import { AppHub } from './app-hub.js';
import { DashboardServer } from './server.js';
import { TrafficSampler } from './traffic-sampler.js';

export interface DashboardApp {
  config: CutoverConfig;
  /** Where the config came from, shown on the page. */
  configFile: string;
}

export interface DashboardOptions {
  apps: DashboardApp[];
  kube: KubeClient;
  /** Builds the engine's world for one run (the CLI passes its production deps). */
  deps: (log: EngineLog) => EngineDeps;
  http: HttpGet;
  address: string;
  /** 0: any free port. */
  port: number;
  /** A fixed token; undefined: a random one; null: none (loopback only). */
  token?: string | null;
  /** Envoy /stats/prometheus to chart; undefined: the gateway's, found as the engine finds it. */
  metricsUrl?: string;
  sampleEveryMs?: number;
  /** Everything the page is sent passes through it (the CLI's, which knows the app's secrets). */
  redactor?: Redactor;
  onWarning?: (message: string) => void;
}

export interface Dashboard {
  /** The URL to open, with the token. */
  url: string;
  address: string;
  port: number;
  token: string | null;
  metricsUrl: string | null;
  close(): Promise<void>;
}

/** The compiled page script (built with the rest of cutover by `npm run build`). */
export function clientScript(): string {
  const file = join(packageRoot(), 'dist', 'src', 'dashboard', 'page', 'client.js');
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`the dashboard page is not built (${file}): run \`npm run build\``, { cause: err });
  }
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const token = options.token === undefined ? newToken() : options.token;
  checkBinding(options.address, token);
  const script = clientScript();
  const warn = options.onWarning ?? (() => undefined);
  const base = options.deps({ step() {}, info() {}, warn });
  // The hub and the sampler publish through the server, which is made after them.
  const sink: { server?: DashboardServer } = {};
  const hub = new AppHub({
    kube: options.kube,
    clock: base.clock,
    sleep: base.sleep,
    settleMs: 50,
    historyEntries: 25,
    onSnapshot: (s) => sink.server?.publishApp(s),
    onDiscovered: (others) => sink.server?.publishOthers(others),
    onWarning: warn,
  });
  try {
    await addApps(hub, options);
  } catch (err) {
    hub.close();
    throw err;
  }
  const metricsUrl = options.metricsUrl ?? (await discoverMetrics(options, base));
  const traffic = metricsUrl
    ? new TrafficSampler({
        url: metricsUrl,
        http: options.http,
        clock: base.clock,
        intervalMs: options.sampleEveryMs ?? 1000,
        keep: 120,
        onSample: (points) => sink.server?.publishTraffic(points),
      })
    : null;
  const server = new DashboardServer({
    hub,
    access: new Access(token, new Set()),
    traffic,
    clientScript: script,
    cluster: `${options.kube.context} · ${options.kube.server}`,
    redactor: options.redactor ?? new Redactor(),
  });
  sink.server = server;
  const port = await server.listen(options.address, options.port).catch((err: unknown) => {
    hub.close();
    throw new InputError(`cannot serve on ${options.address}:${options.port}: ${(err as Error).message}`, {
      cause: err,
      field: '--port',
      remedy: 'pick a free port, or leave --port out for any free one',
    });
  });
  const access = new Access(token, Access.hostsFor(options.address, port));
  server.setAccess(access);
  const host = options.address.includes(':') ? `[${options.address}]` : options.address;
  const shown = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${port}/${token ? `?token=${token}` : ''}`,
    address: options.address,
    port,
    token,
    metricsUrl: metricsUrl ?? null,
    async close() {
      hub.close();
      await server.close();
    },
  };
}

async function addApps(hub: AppHub, options: DashboardOptions): Promise<void> {
  const seen = new Set<string>();
  for (const app of options.apps) {
    const namespace = app.config.namespace ?? options.kube.namespace;
    const id = `${namespace}/${app.config.app}`;
    if (seen.has(id)) continue;
    seen.add(id);
    await hub.add({
      id,
      configFile: app.configFile,
      context: (log, dryRun) =>
        createContext({ config: app.config, kube: options.kube, deps: options.deps(log), dryRun }),
    });
  }
}

/** The gateway's Envoy stats, next to where the engine sends its verification probes. */
async function discoverMetrics(options: DashboardOptions, deps: EngineDeps): Promise<string | undefined> {
  const first = options.apps[0];
  if (!first) return undefined;
  try {
    const ctx = await createContext({ config: first.config, kube: options.kube, deps });
    return `${await gatewayUrl(ctx)}/stats/prometheus`;
  } catch {
    return undefined;
  }
}
