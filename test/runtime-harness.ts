// A local node for the controller and runtime tests: the real store, controllers and pod runtime
// in this process (optionally the API server too, for exec, logs and kubectl), the probe app of
// test/fixtures/probe-app registered in the image table, and condition waits with deadlines.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createStore, type LocalStore } from '../src/local/store/index.js';
import { startControllers, type Controllers } from '../src/local/controllers/index.js';
import { createPodRuntime, type PodRuntime } from '../src/local/runtime/index.js';
import { openImageTable, type ImageTable } from '../src/local/images/index.js';
import { startApiServer, type ApiServer } from '../src/local/apiserver/index.js';
import { kubeconfigFor } from '../src/local/apiserver/testing.js';
import type { KubeObject } from '../src/local/store/types.js';
import type { ResourceType } from '../src/local/resources.js';
import { NAMESPACES } from '../src/local/controllers/kinds.js';

export const PROBE_APP_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'probe-app');
export const PROBE_IMAGE = 'probe-app:1';

export interface TestNode {
  store: LocalStore;
  images: ImageTable;
  runtime: PodRuntime;
  controllers?: Controllers;
  api?: ApiServer;
  kubeconfigPath?: string;
  stateDir: string;
  /** Stops the runtime only (the node goes down), leaving store and state dir as they are. */
  stopRuntime(): Promise<void>;
  close(): Promise<void>;
}

export interface NodeOptions {
  controllers?: boolean;
  api?: boolean;
  backoffBaseMs?: number;
  /** Reuse a store and state dir (a node restart). */
  store?: LocalStore;
  stateDir?: string;
}

export async function startNode(options: NodeOptions = {}): Promise<TestNode> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'cutover-node-')));
  const store = options.store ?? (await createStore({}));
  for (const name of ['default', 'other']) {
    if (!store.get(NAMESPACES, undefined, name))
      store.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const images = openImageTable(stateDir);
  images.add(PROBE_IMAGE, { dir: PROBE_APP_DIR, env: { PORT: '8080' }, command: ['node', 'server.mjs'] });
  const runtime = createPodRuntime({
    store,
    stateDir,
    images,
    backoffBaseMs: options.backoffBaseMs ?? 300,
    shutdownGraceMs: 500,
    log: () => undefined,
  });
  const controllers = options.controllers === false ? undefined : startControllers({ store });
  let api: ApiServer | undefined;
  let kubeconfigPath: string | undefined;
  if (options.api) {
    api = await startApiServer({ store, host: '127.0.0.1', port: 0, pods: runtime });
    runtime.setApiServer({ host: '127.0.0.1', port: api.port });
    kubeconfigPath = join(stateDir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigFor(api.url));
  }
  let runtimeStopped = false;
  const stopRuntime = async () => {
    if (runtimeStopped) return;
    runtimeStopped = true;
    await runtime.stop();
  };
  return {
    store,
    images,
    runtime,
    controllers,
    api,
    kubeconfigPath,
    stateDir,
    stopRuntime,
    async close() {
      await stopRuntime();
      await controllers?.stop();
      await api?.close();
      if (!options.store) await store.close();
      if (!options.stateDir) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns something truthy; fails with `what` and the last value seen. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function get(
  store: LocalStore,
  resource: ResourceType,
  name: string,
  namespace = 'default',
): KubeObject | undefined {
  return store.get(resource, namespace, name);
}

export interface ContainerOptions {
  env?: Array<Record<string, unknown>>;
  envFrom?: Array<Record<string, unknown>>;
  image?: string;
  readinessProbe?: Record<string, unknown> | null;
  livenessProbe?: Record<string, unknown>;
  startupProbe?: Record<string, unknown>;
  lifecycle?: Record<string, unknown>;
  command?: string[];
}

export function container(options: ContainerOptions = {}): Record<string, unknown> {
  const readiness =
    options.readinessProbe === null
      ? {}
      : {
          readinessProbe: options.readinessProbe ?? {
            httpGet: { path: '/ready', port: 'http' },
            periodSeconds: 1,
            // Generous: on a loaded CI machine a probe may wait a while for the event loop.
            timeoutSeconds: 5,
          },
        };
  return {
    name: 'app',
    image: options.image ?? PROBE_IMAGE,
    ports: [{ name: 'http', containerPort: 8080 }],
    ...readiness,
    ...(options.env ? { env: options.env } : {}),
    ...(options.envFrom ? { envFrom: options.envFrom } : {}),
    ...(options.livenessProbe ? { livenessProbe: options.livenessProbe } : {}),
    ...(options.startupProbe ? { startupProbe: options.startupProbe } : {}),
    ...(options.lifecycle ? { lifecycle: options.lifecycle } : {}),
    ...(options.command ? { command: options.command } : {}),
  };
}

export function deploymentObject(
  name: string,
  spec: Record<string, unknown> & { containerOptions?: ContainerOptions; labels?: Record<string, string> },
): KubeObject {
  const { containerOptions, labels, ...rest } = spec;
  const podLabels = labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: podLabels },
      template: {
        metadata: { labels: podLabels },
        spec: { terminationGracePeriodSeconds: 5, containers: [container(containerOptions)] },
      },
      ...rest,
    },
  };
}

export function podObject(
  name: string,
  spec: Record<string, unknown> = {},
  containerOptions: ContainerOptions = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { terminationGracePeriodSeconds: 5, containers: [container(containerOptions)], ...spec },
  };
}

/** The kubectl of the newest version the machine ships (kubectl.1.33 beside the kubectl binary). */
export function kubectlPath(): string {
  const real = realpathSync(execFileSync('which', ['kubectl'], { encoding: 'utf8' }).trim());
  return join(dirname(real), 'kubectl.1.33');
}
