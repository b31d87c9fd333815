// The pod runtime: the local cluster's node. It watches pods in the store and runs each one's
// containers as local processes (see pod-worker.ts and docs/local-cluster.md), and serves
// pods/log and pods/exec for the API server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject, ObjectStore, StoreEvent } from '../store/types.js';
import type { ImageTable } from '../images/index.js';
import type { PodSubresourceHandlers } from '../apiserver/pod-subresources.js';
import { badRequest, type ApiError } from '../store/api-error.js';
import { createEventRecorder } from '../controllers/event-recorder.js';
import { PODS } from '../controllers/kinds.js';
import { PodIpAllocator } from './pod-ips.js';
import { PodWorker, type WorkerDeps } from './pod-worker.js';
import { NODE_NAME } from './node.js';
import { serveLog } from './log-handler.js';
import type { LogWriter } from './log-files.js';
import { createExecServer, notRunning, parseExecQuery, rejectUpgrade } from './exec-handler.js';
import { killGroup } from './processes.js';

export interface PodRuntimeOptions {
  store: ObjectStore;
  stateDir: string;
  images: ImageTable;
  /** First CrashLoopBackOff / ImagePullBackOff delay (default 10 s); doubles up to backoffMaxMs. */
  backoffBaseMs?: number;
  /** Longest back-off (default 5 min). */
  backoffMaxMs?: number;
  /** The API server as containers should see it (KUBERNETES_SERVICE_HOST/PORT); see setApiServer. */
  apiServer?: { host: string; port: number };
  /** How long stop() lets processes handle SIGTERM before SIGKILL (default 2 s). */
  shutdownGraceMs?: number;
  /** Longest wait, on pod deletion, for the endpoints to drop the pod before SIGTERM (default 2 s). */
  endpointsDrainMs?: number;
  log?: (line: string) => void;
}

export interface PodRuntime extends PodSubresourceHandlers {
  /** Tells the runtime where the API server listens, for the env of containers started from now on. */
  setApiServer(address: { host: string; port: number }): void;
  stop(): Promise<void>;
}

export function createPodRuntime(options: PodRuntimeOptions): PodRuntime {
  const { store } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const ips = new PodIpAllocator();
  const workers = new Map<string, PodWorker>();
  const running = new Set<Promise<unknown>>();
  const execs = new Map<number, Promise<unknown>>();
  let apiServer = options.apiServer;
  let stopped = false;
  const deps: WorkerDeps = {
    store,
    images: options.images,
    stateDir: options.stateDir,
    events: createEventRecorder(store, { component: 'kubelet', host: NODE_NAME }),
    schedulerEvents: createEventRecorder(store, { component: 'default-scheduler' }),
    backoffBaseMs: options.backoffBaseMs ?? 10_000,
    backoffMaxMs: options.backoffMaxMs ?? 300_000,
    endpointsDrainMs: options.endpointsDrainMs ?? 2_000,
    apiServer: () => apiServer,
    quiet: () => stopped,
    log,
    releaseIp: (ip) => ips.release(ip),
    trackProcess: (ip, pgid, running) => ips.trackGroup(ip, pgid, running),
  };

  const track = (p: Promise<unknown>) => {
    const tracked = p
      .catch((err: Error) => log(`pod runtime: ${err.stack ?? err.message}`))
      .finally(() => running.delete(tracked));
    running.add(tracked);
  };

  const reserved = new Map<string, string>(); // pod uid → address it had before a restart
  const startWorker = (pod: KubeObject) => {
    const uid = pod.metadata.uid!;
    const ip = reserved.get(uid) ?? ips.allocate();
    reserved.delete(uid);
    const worker = new PodWorker(pod, ip, deps);
    workers.set(worker.uid, worker);
    track(worker.start());
  };

  const onPod = (type: StoreEvent['type'], pod: KubeObject) => {
    if (stopped) return;
    const worker = workers.get(pod.metadata.uid!);
    if (type === 'DELETED') {
      if (worker) {
        workers.delete(worker.uid);
        track(worker.kill());
      }
      return;
    }
    if (worker) return worker.update(pod);
    // Deleted while no process ran for it (before a restart of the node, or never started).
    if (pod.metadata.deletionTimestamp) return track(Promise.resolve().then(() => deleteNow(store, pod)));
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return; // finished: nothing to run
    startWorker(pod);
  };

  // Pods the store already holds are on this node since before a restart: reserve their
  // addresses first so that none is handed to a new pod, then start them again.
  const existing = store.list(PODS).items;
  for (const pod of existing) {
    const status = pod.status as { podIP?: string; phase?: string } | undefined;
    const finished = status?.phase === 'Succeeded' || status?.phase === 'Failed';
    if (status?.podIP && !finished && !pod.metadata.deletionTimestamp)
      reserved.set(pod.metadata.uid!, ips.allocate(status.podIP));
  }
  const unwatch = store.watch(PODS, (e) => {
    const obj = e.object;
    setImmediate(() => onPod(e.type, obj));
  });
  setImmediate(() => {
    for (const pod of existing)
      if (!workers.has(pod.metadata.uid!))
        onPod('ADDED', store.get(PODS, pod.metadata.namespace, pod.metadata.name) ?? pod);
  });

  const exec = createExecServer();
  const logWriters = (path: string): LogWriter | undefined => {
    for (const w of workers.values()) {
      for (const r of [...w.initRunners, ...w.runners])
        if (r.current?.logs.path === path) return r.current.logs;
    }
    return undefined;
  };

  return {
    setApiServer(address) {
      apiServer = address;
    },
    log(req: IncomingMessage, res: ServerResponse, pod: KubeObject, query: URLSearchParams) {
      serveLog(
        { stateDir: options.stateDir, openWriter: logWriters },
        req,
        res,
        workers.get(pod.metadata.uid!)?.pod() ?? pod,
        query,
      );
    },
    exec(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject, query: URLSearchParams) {
      try {
        const target = execTarget(workers.get(pod.metadata.uid!), pod, query, req);
        const request = parseExecQuery(query);
        exec.upgrade(req, socket, head, target, request, (pid, done) => {
          execs.set(pid, done);
          void done.finally(() => execs.delete(pid));
        });
      } catch (err) {
        if (!(err as ApiError).status) throw err;
        rejectUpgrade(socket, err as ApiError);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      unwatch();
      exec.close();
      for (const pid of execs.keys()) killGroup(pid, 'SIGKILL');
      const graceMs = options.shutdownGraceMs ?? 2_000;
      await Promise.all([...workers.values()].map((w) => w.shutdown(graceMs)));
      await Promise.all([...running, ...execs.values()]);
      workers.clear();
      ips.releaseAll();
    },
  };
}

function deleteNow(store: ObjectStore, pod: KubeObject): void {
  try {
    store.delete(PODS, pod.metadata.namespace, pod.metadata.name, {
      preconditions: { uid: pod.metadata.uid },
    });
  } catch (err) {
    if (!((err as ApiError).status && [404, 409].includes((err as ApiError).code))) throw err;
  }
}

function execTarget(
  worker: PodWorker | undefined,
  pod: KubeObject,
  query: URLSearchParams,
  req: IncomingMessage,
) {
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    throw badRequest(
      'the local cluster serves exec over WebSocket only (v5.channel.k8s.io or v4.channel.k8s.io); SPDY is not supported',
    );
  }
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  const containers = ((pod.spec as { containers?: Array<{ name: string }> }).containers ?? []).map(
    (c) => c.name,
  );
  const name = query.get('container') || (containers.length === 1 ? containers[0]! : '');
  if (!name)
    throw badRequest(
      `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`,
    );
  if (!containers.includes(name))
    throw badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`);
  const runner = worker?.runners.find((r) => r.name === name);
  const target = runner?.execContext();
  if (!target) throw notRunning(name);
  return target;
}
