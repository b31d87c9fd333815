// Wires the parts of the embedded local cluster into one running cluster (see ARCHITECTURE.md).
// Start order matters: the store first (everything reads it), the runtime before the API server
// (the server hands it pods/log and pods/exec), the controllers and the gateway last, so that the
// first reconcile sees the objects persisted in the state dir. Stop order is the reverse, and the
// store is flushed last so that nothing written during shutdown is lost.
import { mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createStore } from './store/index.js';
import { startApiServer } from './apiserver/index.js';
import { startControllers } from './controllers/index.js';
import { createPodRuntime } from './runtime/index.js';
import { openImageTable } from './images/index.js';
import { startGateway } from './gateway/index.js';
import { startDatabase } from './database/index.js';
import { renderKubeconfig } from './kubeconfig.js';
import { ensureIngressGatewayService } from './ingress-service.js';
import { startPrometheus } from './prometheus/index.js';
import { ensureGatewayClass } from './gateway-class.js';
import { startServiceLoadBalancers } from './service-lb/index.js';

export interface LocalClusterOptions {
  stateDir: string;
  /** 0 picks a free port; undefined reuses the last run's port when it is free (else any). */
  apiPort?: number;
  /** 0 picks a free port; undefined reuses the last run's port when it is free (else any). */
  gatewayPort?: number;
  /** Loopback address to bind; the local cluster never binds elsewhere unless told. */
  host?: string;
  /** How long the gateway takes to see a change of routes or endpoints (models Envoy's lag). */
  propagationDelayMs?: number;
  /** A network's round trip in front of the API server (see ApiServerOptions.latencyMs). */
  apiLatencyMs?: number;
  /** Start the embedded PostgreSQL; `false` skips it. Port as for apiPort. */
  database?: false | { port?: number };
  /** Start a real Prometheus (Debian's package) scraping the gateway. Port as for apiPort. */
  prometheus?: { port?: number; scrapeIntervalSeconds?: number };
  log?: (line: string) => void;
}

export interface LocalCluster {
  stateDir: string;
  apiUrl: string;
  gatewayUrl: string;
  kubeconfigPath: string;
  database?: { host: string; port: number };
  /** Set when started with `prometheus`. */
  prometheusUrl?: string;
  images: ReturnType<typeof openImageTable>;
  setPropagationDelay(ms: number): void;
  /** API requests served so far, by verb and resource (e.g. 'GET deployments'). */
  requestCounts(): Record<string, number>;
  stop(): Promise<void>;
}

export const STATE_FILES = {
  kubeconfig: 'kubeconfig',
  info: 'cluster.json',
  ports: 'ports.json',
  pid: 'cluster.pid',
  log: 'cluster.log',
};

export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const stateDir = resolve(options.stateDir);
  const host = options.host ?? '127.0.0.1';
  await mkdir(stateDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  try {
    const store = await createStore({ stateDir });
    stops.push(() => store.close());
    const images = openImageTable(stateDir);
    const runtime = createPodRuntime({ store, stateDir, images });
    stops.push(() => runtime.stop());
    // Ports are kept across `local down` / `local up`, so that the kubeconfig, the gateway URL
    // and the database address that apps were configured with stay valid.
    const last = await readPorts(stateDir);
    const api = await onPort(options.apiPort, last.api, (port) =>
      startApiServer({ store, host, port, pods: runtime, latencyMs: options.apiLatencyMs }),
    );
    stops.push(() => api.close());
    // Containers get KUBERNETES_SERVICE_HOST/PORT, as in a real pod.
    runtime.setApiServer({ host, port: api.port });
    const controllers = startControllers({ store });
    stops.push(() => controllers.stop());
    const gateway = await onPort(options.gatewayPort, last.gateway, (port) =>
      startGateway({
        store,
        host,
        port,
        propagationDelayMs: options.propagationDelayMs ?? 0,
        log: options.log,
      }),
    );
    stops.push(() => gateway.close());
    ensureIngressGatewayService(store, host, gateway.port);
    ensureGatewayClass(store);
    const loadBalancers = startServiceLoadBalancers({ store, log: options.log });
    stops.push(() => loadBalancers.stop());
    const database =
      options.database === false
        ? undefined
        : await onPort(options.database?.port, last.database, (port) =>
            startDatabase({ host, port, dataDir: join(stateDir, 'database') }),
          );
    if (database) stops.push(() => database.close());
    const prometheus = options.prometheus
      ? await onPort(options.prometheus.port, last.prometheus, (port) =>
          startPrometheus({
            stateDir,
            host,
            port,
            gatewayTarget: `${host}:${gateway.port}`,
            scrapeIntervalSeconds: options.prometheus?.scrapeIntervalSeconds,
          }),
        )
      : undefined;
    if (prometheus) stops.push(() => prometheus.stop());
    await writeFile(
      join(stateDir, STATE_FILES.ports),
      JSON.stringify({
        api: api.port,
        gateway: gateway.port,
        database: database?.port,
        prometheus: prometheus?.port ?? last.prometheus,
      }) + '\n',
    );

    const kubeconfigPath = join(stateDir, STATE_FILES.kubeconfig);
    await writeFile(kubeconfigPath, renderKubeconfig(api.url), { mode: 0o600 });
    const info = {
      apiUrl: api.url,
      gatewayUrl: gateway.url,
      database: database && { host, port: database.port },
      prometheusUrl: prometheus?.url,
      pid: process.pid,
    };
    await writeFile(join(stateDir, STATE_FILES.info), JSON.stringify(info, null, 2) + '\n');
    return {
      stateDir,
      apiUrl: api.url,
      gatewayUrl: gateway.url,
      kubeconfigPath,
      database: info.database,
      prometheusUrl: prometheus?.url,
      images,
      setPropagationDelay: (ms) => gateway.setPropagationDelay(ms),
      requestCounts: () => api.requestCounts(),
      stop: () => stopAll(stops, stateDir),
    };
  } catch (err) {
    await stopAll(stops, stateDir);
    throw err;
  }
}

interface Ports {
  api?: number;
  gateway?: number;
  database?: number;
  prometheus?: number;
}

async function readPorts(stateDir: string): Promise<Ports> {
  const text = await readFile(join(stateDir, STATE_FILES.ports), 'utf8').catch(() => undefined);
  if (text === undefined) return {};
  try {
    return JSON.parse(text) as Ports;
  } catch {
    return {}; // only a preference: a damaged file means "any free port"
  }
}

/** Starts on the asked port; with none asked, on the last run's port if it is still free, else any. */
async function onPort<T>(
  asked: number | undefined,
  last: number | undefined,
  start: (port: number) => Promise<T>,
): Promise<T> {
  if (asked !== undefined || !last) return start(asked ?? 0);
  try {
    return await start(last);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return start(0);
  }
}

async function stopAll(stops: Array<() => Promise<void>>, stateDir: string): Promise<void> {
  const errors: unknown[] = [];
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (err) {
      errors.push(err);
    }
  }
  await rm(join(stateDir, STATE_FILES.info), { force: true });
  if (errors.length) throw new AggregateError(errors, 'the local cluster did not stop cleanly');
}
