// Services of type LoadBalancer get a loopback address of their own, the way k3s's service load
// balancer or `minikube tunnel` give them a reachable IP: the controller binds every Service port
// on that address (TCP, proxied to the Service's ready endpoints) and writes
// `status.loadBalancer.ingress: [{ip, ipMode: VIP}]`. A port that cannot be bound is reported in
// `ingress[].ports[].error` and in the log, never silently. The address is kept across restarts
// (read back from the status). The istio-system/istio-ingressgateway Service is the gateway's
// own and is skipped.
import type { Server } from 'node:net';
import { bindPorts, closeQuietly } from '../loopback-addresses.js';
import { findResource } from '../resources.js';
import type { KubeObject, ObjectStore, StoreEvent } from '../store/types.js';
import { tcpProxy, type Target } from './tcp-proxy.js';

const SERVICES = findResource('', 'services')!;
const ENDPOINTS = findResource('', 'endpoints')!;

type Json = Record<string, unknown>;
interface ServicePort {
  name: string;
  port: number;
  protocol: string;
}
interface Bound {
  address: string;
  ports: string;
  servers: Server[];
}

function isLoadBalancer(svc: KubeObject): boolean {
  const spec = (svc.spec ?? {}) as Json;
  if (svc.metadata.namespace === 'istio-system' && svc.metadata.name === 'istio-ingressgateway') return false;
  return spec.type === 'LoadBalancer' && !svc.metadata.deletionTimestamp;
}

function portsOf(svc: KubeObject): ServicePort[] {
  const ports = ((svc.spec ?? {}) as Json).ports;
  return (Array.isArray(ports) ? ports : []).flatMap((p: Json) =>
    typeof p?.port === 'number'
      ? [
          {
            name: typeof p.name === 'string' ? p.name : '',
            port: p.port,
            protocol: String(p.protocol ?? 'TCP'),
          },
        ]
      : [],
  );
}

export interface ServiceLoadBalancers {
  stop(): Promise<void>;
}

export function startServiceLoadBalancers(options: {
  store: ObjectStore;
  log?: (line: string) => void;
}): ServiceLoadBalancers {
  const { store } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const bound = new Map<string, Bound>();
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;

  const targets = (ns: string, name: string, port: ServicePort): Target[] => {
    const eps = store.get(ENDPOINTS, ns, name);
    const subsets = Array.isArray(eps?.subsets) ? (eps.subsets as Json[]) : [];
    return subsets.flatMap((s) => {
      const ports = Array.isArray(s.ports) ? (s.ports as Json[]) : [];
      const match = port.name ? ports.find((p) => p.name === port.name) : ports[0];
      if (typeof match?.port !== 'number') return [];
      const addresses = Array.isArray(s.addresses) ? (s.addresses as Json[]) : [];
      return addresses.map((a) => ({ address: String(a.ip), port: match.port as number }));
    });
  };

  const reconcile = async (ns: string, name: string): Promise<void> => {
    if (stopped) return;
    const key = `${ns}/${name}`;
    const svc = store.get(SERVICES, ns, name);
    const want = svc && isLoadBalancer(svc) ? portsOf(svc).filter((p) => p.protocol === 'TCP') : undefined;
    const signature = want?.map((p) => `${p.name}:${p.port}`).join(',');
    const have = bound.get(key);
    if (have && have.ports === signature) return;
    if (have) {
      bound.delete(key);
      await Promise.all(have.servers.map(closeQuietly));
    }
    if (!svc) return;
    if (!want) {
      const lb = ((svc.status ?? {}) as Json).loadBalancer as Json | undefined;
      if (have && Array.isArray(lb?.ingress))
        store.update(
          SERVICES,
          { ...svc, status: { ...(svc.status as Json), loadBalancer: {} } },
          { subresource: 'status' },
        );
      return;
    }
    const status = (svc.status ?? {}) as { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
    const preferred = have?.address ?? status.loadBalancer?.ingress?.[0]?.ip;
    const byPort = new Map(want.map((p) => [p.port, p]));
    const result = await bindPorts(
      want.map((p) => p.port),
      (port) => tcpProxy(() => targets(ns, name, byPort.get(port)!)),
      preferred,
    );
    if (stopped) {
      await Promise.all([...result.servers.values()].map(closeQuietly));
      return;
    }
    bound.set(key, { address: result.address, ports: signature!, servers: [...result.servers.values()] });
    for (const [port, error] of result.errors)
      log(`service load balancer: Service ${key} port ${port} is not reachable: ${error}`);
    const ingress: Json = { ip: result.address, ipMode: 'VIP' };
    if (result.errors.size)
      ingress.ports = want.map((p) =>
        result.errors.has(p.port)
          ? { port: p.port, protocol: 'TCP', error: 'cutover.dev/PortNotBindable' }
          : { port: p.port, protocol: 'TCP' },
      );
    const current = store.get(SERVICES, ns, name);
    if (!current) return;
    const desired = { ...((current.status ?? {}) as Json), loadBalancer: { ingress: [ingress] } };
    if (JSON.stringify(desired) === JSON.stringify(current.status ?? {})) return;
    store.update(SERVICES, { ...current, status: desired }, { subresource: 'status' });
  };

  const enqueue = (ns: string, name: string) => {
    queue = queue
      .then(() => reconcile(ns, name))
      .catch((err: unknown) => {
        log(`service load balancer: Service ${ns}/${name}: ${(err as Error).message}`);
      });
  };
  const onEvent = (event: StoreEvent) =>
    enqueue(event.object.metadata.namespace ?? '', event.object.metadata.name);
  for (const svc of store.list(SERVICES).items)
    if (isLoadBalancer(svc)) enqueue(svc.metadata.namespace ?? '', svc.metadata.name);
  const unwatch = store.watch(SERVICES, onEvent);
  return {
    stop: async () => {
      stopped = true;
      unwatch();
      await queue;
      await Promise.all([...bound.values()].flatMap((b) => b.servers.map(closeQuietly)));
      bound.clear();
    },
  };
}
