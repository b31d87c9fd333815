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
import { createWebSocketStream, WebSocketServer } from 'ws';
import { SpdyConnection } from './spdy/connection.js';
import { queryBool } from '../query-params.js';
import { serveSpdyAttach, serveSpdyExec, spdyExecProtocol } from './spdy/exec-session.js';
import {
  PORT_FORWARD_PROTOCOL,
  PORT_FORWARD_WEBSOCKET_PROTOCOL,
  servePortForward,
} from './spdy/port-forward.js';
import { acceptSpdy, isSpdyUpgrade, negotiate } from './spdy/upgrade.js';
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
  return new LocalNode(options);
}

/** The node: one PodWorker per pod it runs, keyed by pod uid. */
class LocalNode implements PodRuntime {
  private readonly store: ObjectStore;
  private readonly ips = new PodIpAllocator();
  private readonly workers = new Map<string, PodWorker>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly execs = new Map<number, Promise<unknown>>();
  /** Pod uid → the address it had before a restart of the node. */
  private readonly reserved = new Map<string, string>();
  private readonly execServer = createExecServer();
  private readonly connections = new Set<SpdyConnection>();
  // kubectl ≥ 1.31 tunnels port-forward's SPDY frames through a WebSocket.
  private readonly portForwardServer = portForwardWebSocketServer();
  private readonly deps: WorkerDeps;
  private readonly unwatch: () => void;
  private apiServer: { host: string; port: number } | undefined;
  private stopped = false;

  constructor(private readonly options: PodRuntimeOptions) {
    this.store = options.store;
    this.apiServer = options.apiServer;
    this.deps = this.workerDeps();
    const existing = this.reserveAddresses();
    // Watch callbacks run inside someone else's write: act on the event a moment later.
    this.unwatch = this.store.watch(PODS, (e) => {
      const obj = e.object;
      setImmediate(() => this.onPod(e.type, obj));
    });
    setImmediate(() => this.restartExisting(existing));
    // The API server may hand these around as plain functions.
    this.log = this.log.bind(this);
    this.exec = this.exec.bind(this);
    this.portForward = this.portForward.bind(this);
    this.attach = this.attach.bind(this);
  }

  private workerDeps(): WorkerDeps {
    const { store, options } = this;
    const log = options.log ?? ((line: string) => void process.stderr.write(line + '\n'));
    return {
      store,
      images: options.images,
      stateDir: options.stateDir,
      events: createEventRecorder(store, { component: 'kubelet', host: NODE_NAME }),
      schedulerEvents: createEventRecorder(store, { component: 'default-scheduler' }),
      backoffBaseMs: options.backoffBaseMs ?? 10_000,
      backoffMaxMs: options.backoffMaxMs ?? 300_000,
      endpointsDrainMs: options.endpointsDrainMs ?? 2_000,
      apiServer: () => this.apiServer,
      quiet: () => this.stopped,
      log,
      releaseIp: (ip) => this.ips.release(ip),
      trackProcess: (ip, pgid, running) => this.ips.trackGroup(ip, pgid, running),
    };
  }

  /**
   * Pods the store already holds were on this node before a restart: reserve their addresses
   * before anything else can take them; they start again on the next tick.
   */
  private reserveAddresses(): KubeObject[] {
    const existing = this.store.list(PODS).items;
    for (const pod of existing) {
      const status = pod.status as { podIP?: string; phase?: string } | undefined;
      const finished = status?.phase === 'Succeeded' || status?.phase === 'Failed';
      if (!status?.podIP || finished || pod.metadata.deletionTimestamp) continue;
      this.reserved.set(pod.metadata.uid!, this.ips.allocate(status.podIP));
    }
    return existing;
  }

  private restartExisting(existing: KubeObject[]): void {
    for (const pod of existing) {
      const current = this.store.get(PODS, pod.metadata.namespace, pod.metadata.name);
      if (current && current.metadata.uid === pod.metadata.uid && !this.workers.has(pod.metadata.uid!)) {
        this.onPod('ADDED', current);
      }
    }
    for (const [uid, ip] of this.reserved) {
      // Reserved for a pod that went away before it started again.
      if (!this.workers.has(uid)) this.ips.release(ip);
    }
    this.reserved.clear();
  }

  private track(p: Promise<unknown>): void {
    const tracked: Promise<unknown> = p
      .catch((err: Error) => this.deps.log(`pod runtime: ${err.stack ?? err.message}`))
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private onPod(type: StoreEvent['type'], pod: KubeObject): void {
    if (this.stopped) return;
    const worker = this.workers.get(pod.metadata.uid!);
    if (type === 'DELETED') {
      if (!worker) return;
      this.workers.delete(worker.uid);
      return this.track(worker.kill());
    }
    if (worker) return worker.update(pod);
    // Deleted while no process ran for it (before a restart of the node, or never started).
    if (pod.metadata.deletionTimestamp)
      return this.track(Promise.resolve().then(() => deleteNow(this.store, pod)));
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return; // finished: nothing to run
    this.startWorker(pod);
  }

  private startWorker(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    const ip = this.reserved.get(uid) ?? this.ips.allocate();
    this.reserved.delete(uid);
    const worker = new PodWorker(pod, ip, this.deps);
    this.workers.set(uid, worker);
    this.track(worker.start());
  }

  private openWriter(path: string): LogWriter | undefined {
    for (const w of this.workers.values()) {
      for (const r of [...w.initRunners, ...w.runners])
        if (r.current?.logs.path === path) return r.current.logs;
    }
    return undefined;
  }

  setApiServer(address: { host: string; port: number }): void {
    this.apiServer = address;
  }

  log(req: IncomingMessage, res: ServerResponse, pod: KubeObject, query: URLSearchParams): void {
    const sources = { stateDir: this.options.stateDir, openWriter: (path: string) => this.openWriter(path) };
    serveLog(sources, req, res, this.workers.get(pod.metadata.uid!)?.pod() ?? pod, query);
  }

  exec(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject, query: URLSearchParams): void {
    try {
      const target = execTarget(this.workers.get(pod.metadata.uid!), pod, query);
      const request = parseExecQuery(query);
      const track = (pid: number, done: Promise<unknown>) => {
        this.execs.set(pid, done);
        void done.finally(() => this.execs.delete(pid));
      };
      if (isSpdyUpgrade(req)) {
        const protocol = spdyExecProtocol(req);
        this.trackConnection(serveSpdyExec(socket, head, protocol, target, request, track));
        return;
      }
      this.execServer.upgrade(req, socket, head, target, request, track);
    } catch (err) {
      if (!(err as ApiError).status) throw err;
      rejectUpgrade(socket, err as ApiError);
    }
  }

  attach(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject, query: URLSearchParams): void {
    try {
      const name = containerName(pod, query);
      const logs = this.workers.get(pod.metadata.uid!)?.runners.find((r) => r.name === name)?.current?.logs;
      if (!logs) throw notRunning(name);
      const flag = (n: string) => queryBool(query, n);
      const request = {
        command: [],
        stdin: flag('stdin'),
        stdout: flag('stdout'),
        stderr: flag('stderr'),
        tty: flag('tty'),
      };
      if (isSpdyUpgrade(req)) {
        this.trackConnection(serveSpdyAttach(socket, head, spdyExecProtocol(req), logs, request));
        return;
      }
      this.execServer.attach(req, socket, head, logs, request);
    } catch (err) {
      if (!(err as ApiError).status) throw err;
      rejectUpgrade(socket, err as ApiError);
    }
  }

  portForward(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject): void {
    try {
      const podIP = (pod.status as { podIP?: string } | undefined)?.podIP;
      if (!podIP) throw badRequest(`pod ${pod.metadata.name} has no IP address yet`);
      const target = { podName: pod.metadata.name, podUid: pod.metadata.uid ?? '', podIP };
      if (isSpdyUpgrade(req)) {
        const conn = acceptSpdy(socket, head, negotiate(req, [PORT_FORWARD_PROTOCOL]));
        this.trackConnection(conn);
        servePortForward(conn, target);
        return;
      }
      // ws refuses `SPDY/3.1+portforward.k8s.io` as a subprotocol token ('/' is not a tchar):
      // it is offered under a token name here and named again in the 101 (see below).
      if (!String(req.headers['sec-websocket-protocol'] ?? '').includes(PORT_FORWARD_WEBSOCKET_PROTOCOL))
        throw badRequest(
          `port-forward over WebSocket needs the ${PORT_FORWARD_WEBSOCKET_PROTOCOL} subprotocol`,
        );
      req.headers['sec-websocket-protocol'] = TUNNEL_TOKEN;
      this.portForwardServer.handleUpgrade(req, socket, head, (ws) => {
        const conn = new SpdyConnection(createWebSocketStream(ws));
        this.trackConnection(conn);
        servePortForward(conn, target);
      });
    } catch (err) {
      if (!(err as ApiError).status) throw err;
      rejectUpgrade(socket, err as ApiError);
    }
  }

  private trackConnection(conn: SpdyConnection): void {
    this.connections.add(conn);
    conn.on('close', () => this.connections.delete(conn));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unwatch();
    this.execServer.close();
    for (const conn of this.connections) conn.close();
    this.portForwardServer.close();
    for (const pid of this.execs.keys()) killGroup(pid, 'SIGKILL');
    const graceMs = this.options.shutdownGraceMs ?? 2_000;
    await Promise.all([...this.workers.values()].map((w) => w.shutdown(graceMs)));
    await Promise.all([...this.running, ...this.execs.values()]);
    this.workers.clear();
    this.ips.releaseAll();
  }
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

function execTarget(worker: PodWorker | undefined, pod: KubeObject, query: URLSearchParams) {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  const name = containerName(pod, query);
  const runner = worker?.runners.find((r) => r.name === name);
  const target = runner?.execContext();
  if (!target) throw notRunning(name);
  return target;
}

const TUNNEL_TOKEN = 'portforward-spdy-tunnel';

// kubectl ≥ 1.31 tunnels port-forward's SPDY frames through a WebSocket whose subprotocol is
// `SPDY/3.1+portforward.k8s.io`; the 101 must name it exactly.
function portForwardWebSocketServer(): WebSocketServer {
  const server = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has(TUNNEL_TOKEN) ? TUNNEL_TOKEN : false),
  });
  server.on('headers', (headers) => {
    for (let i = 0; i < headers.length; i++)
      if (headers[i] === `Sec-WebSocket-Protocol: ${TUNNEL_TOKEN}`)
        headers[i] = `Sec-WebSocket-Protocol: ${PORT_FORWARD_WEBSOCKET_PROTOCOL}`;
  });
  return server;
}

function containerName(pod: KubeObject, query: URLSearchParams): string {
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
  return name;
}
