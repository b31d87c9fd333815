// Shared set-up for the gateway tests: an in-process store, the gateway on a loopback port, and
// pods that are real HTTP servers on 127.0.0.x addresses, registered as Pod + Endpoints objects.
import {
  Agent as HttpAgent,
  createServer,
  request,
  type Agent,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { findResource } from '../src/local/resources.js';
import { createStore, type LocalStore } from '../src/local/store/index.js';
import type { KubeObject } from '../src/local/store/types.js';
import { startGateway, type Gateway } from '../src/local/gateway/index.js';

const ISTIO = 'networking.istio.io';
export const R = {
  gateways: findResource(ISTIO, 'gateways')!,
  virtualservices: findResource(ISTIO, 'virtualservices')!,
  destinationrules: findResource(ISTIO, 'destinationrules')!,
  services: findResource('', 'services')!,
  endpoints: findResource('', 'endpoints')!,
  pods: findResource('', 'pods')!,
};
export type Kind = keyof typeof R;
const KINDS: Record<Kind, [string, string]> = {
  gateways: [`${ISTIO}/v1`, 'Gateway'],
  virtualservices: [`${ISTIO}/v1`, 'VirtualService'],
  destinationrules: [`${ISTIO}/v1`, 'DestinationRule'],
  services: ['v1', 'Service'],
  endpoints: ['v1', 'Endpoints'],
  pods: ['v1', 'Pod'],
};

export interface Harness {
  store: LocalStore;
  gateway: Gateway;
  logs: string[];
  close(): Promise<void>;
}

export async function startHarness(propagationDelayMs = 0): Promise<Harness> {
  const store = await createStore();
  const logs: string[] = [];
  const gateway = await startGateway({
    store,
    host: '127.0.0.1',
    port: 0,
    propagationDelayMs,
    log: (l) => logs.push(l),
  });
  return {
    store,
    gateway,
    logs,
    close: async () => {
      await gateway.close();
      await store.close();
    },
  };
}

/** Creates or replaces an object (kubectl apply without the merge). */
export function put(
  store: LocalStore,
  kind: Kind,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  meta: Partial<KubeObject['metadata']> = {},
): KubeObject {
  const [apiVersion, k] = KINDS[kind];
  const existing = store.get(R[kind], ns, name);
  const obj: KubeObject = {
    apiVersion,
    kind: k,
    metadata: { ...(existing?.metadata ?? {}), ...meta, name, namespace: ns },
    ...spec,
  };
  return existing ? store.update(R[kind], obj) : store.create(R[kind], obj);
}

export function del(store: LocalStore, kind: Kind, ns: string, name: string): void {
  store.delete(R[kind], ns, name);
}

export interface Pod {
  name: string;
  ip: string;
  port: number;
  labels: Record<string, string>;
  server: Server;
  hits: number;
  close(): Promise<void>;
}

let nextIp = 10;
/** A distinct loopback address per pod, like a pod IP. */
export function podIp(): string {
  nextIp = nextIp >= 250 ? 10 : nextIp + 1;
  return `127.0.${Math.floor(Math.random() * 200) + 20}.${nextIp}`;
}

/** An HTTP server answering `{pod, path, method, headers}` with header x-pod, plus its Pod object. */
export async function startPod(
  store: LocalStore,
  ns: string,
  name: string,
  labels: Record<string, string>,
  handler?: (req: IncomingMessage, res: import('node:http').ServerResponse) => boolean,
): Promise<Pod> {
  const ip = podIp();
  const pod: Pod = {
    name,
    ip,
    port: 0,
    labels,
    server: undefined as unknown as Server,
    hits: 0,
    close: async () => {},
  };
  pod.server = createServer((req, res) => {
    pod.hits++;
    if (handler?.(req, res)) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        pod: name,
        path: req.url,
        method: req.method,
        headers: req.rawHeaders,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'x-pod': name, server: 'pod' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => pod.server.listen(0, ip, resolve));
  pod.port = (pod.server.address() as AddressInfo).port;
  pod.close = () =>
    new Promise<void>((resolve) => {
      pod.server.close(() => resolve());
      pod.server.closeIdleConnections();
    });
  put(
    store,
    'pods',
    ns,
    name,
    { spec: { containers: [{ name: 'app', image: 'x' }] }, status: { podIP: ip, phase: 'Running' } },
    { labels },
  );
  return pod;
}

/** Service `name` with one port 80 → targetPort named http (unless ports are given). */
export function putService(
  store: LocalStore,
  ns: string,
  name: string,
  selector: Record<string, string>,
  ports = [{ name: 'http', port: 80, targetPort: 8080 }],
): void {
  put(store, 'services', ns, name, { spec: { selector, ports } });
}

/** Endpoints of a Service: the given pods as ready addresses. `portName` must match the Service port's name. */
export function putEndpoints(
  store: LocalStore,
  ns: string,
  name: string,
  pods: Pod[],
  portName = 'http',
): KubeObject {
  const bySubset = new Map<number, Pod[]>();
  for (const p of pods) bySubset.set(p.port, [...(bySubset.get(p.port) ?? []), p]);
  const subsets = [...bySubset].map(([port, ps]) => ({
    addresses: ps.map((p) => ({ ip: p.ip, targetRef: { kind: 'Pod', name: p.name, namespace: ns } })),
    ports: [{ name: portName, port, protocol: 'TCP' }],
  }));
  return put(store, 'endpoints', ns, name, { subsets });
}

export const seedGateway = {
  spec: {
    selector: { istio: 'ingressgateway' },
    servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
  },
};

/** Keep-alive like a browser or curl in a loop; tests that need their own connection pass `agent`. */
const sharedAgent = new HttpAgent({ keepAlive: true, maxSockets: 8 });

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
  json(): { pod: string; path: string; method: string; headers: string[]; body: string };
}

/** One request; headers as a flat [name, value, …] list so repeated headers are possible. */
export function send(
  baseUrl: string,
  path: string,
  opts: { method?: string; headers?: string[]; body?: string; agent?: Agent | false } = {},
): Promise<Reply> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers = [...(opts.headers ?? [])];
    if (!headers.some((v, i) => i % 2 === 0 && v.toLowerCase() === 'host')) headers.push('host', u.host);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: opts.method ?? 'GET',
        headers,
        agent: opts.agent ?? sharedAgent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body,
            json: () => JSON.parse(body),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Resolves once the gateway routes by `obj` (or anything written after it). */
export function visible(h: Harness, obj: KubeObject, timeoutMs = 5000): Promise<true> {
  const rv = Number(obj.metadata.resourceVersion);
  return waitFor(
    `resourceVersion ${rv} to reach the gateway`,
    () => (h.gateway.observedResourceVersion() >= rv ? true : undefined),
    timeoutMs,
  );
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Seed-style app: Service `myapp` (selector app=myapp) with blue and green pods and a DR with both subsets. */
export async function seedApp(h: Harness, ns = 'default'): Promise<{ blue: Pod; green: Pod }> {
  const blue = await startPod(h.store, ns, 'myapp-blue-1', { app: 'myapp', color: 'blue' });
  const green = await startPod(h.store, ns, 'myapp-green-1', { app: 'myapp', color: 'green' });
  putService(h.store, ns, 'myapp', { app: 'myapp' });
  putEndpoints(h.store, ns, 'myapp', [blue, green]);
  put(h.store, 'gateways', ns, 'myapp-gateway', seedGateway);
  put(h.store, 'destinationrules', ns, 'myapp-blue-green', {
    spec: {
      host: 'myapp',
      subsets: [
        { name: 'blue', labels: { color: 'blue' } },
        { name: 'green', labels: { color: 'green' } },
      ],
    },
  });
  return { blue, green };
}
