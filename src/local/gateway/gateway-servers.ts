// Which Gateway servers the local ingress listener serves. Istio selects Gateways whose
// `spec.selector` is contained in the ingress pod's labels; the local cluster has one ingress
// gateway, labelled like Istio's default install. Its one listener stands for the server ports
// 80 (the default http2 port of istio-ingressgateway), the listener's own port, and whatever port
// the `istio-system/istio-ingressgateway` Service names `http2`.
import type { KubeObject } from '../store/types.js';
import { asArray, asRecord, asStringMap, byCreation, specOf, type ConfigView } from './config-view.js';
import { GATEWAY_NAMESPACE } from './metrics-labels.js';
import type { ConfigReporter } from './not-emulated.js';

export const GATEWAY_POD_LABELS: Readonly<Record<string, string>> = {
  istio: 'ingressgateway',
  app: 'istio-ingressgateway',
};
const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB']);
const SERVER_KEYS = new Set(['port', 'hosts', 'name']);

export interface GatewayServer {
  /** `namespace/name` of the Gateway. */
  gateway: string;
  port: number;
  /** Entries of `hosts`, lower-cased, `namespace/` part kept. */
  hosts: string[];
}

export function servedPorts(view: ConfigView, listenPort: number): number[] {
  const ports = new Set([80, listenPort]);
  const svc = view.services.get(`${GATEWAY_NAMESPACE}/istio-ingressgateway`);
  for (const p of asArray(svc ? specOf(svc).ports : undefined)) {
    const r = asRecord(p);
    if (r?.name === 'http2' && typeof r.port === 'number') ports.add(r.port);
  }
  return [...ports];
}

function selects(gw: KubeObject): boolean {
  return Object.entries(asStringMap(specOf(gw).selector)).every(([k, v]) => GATEWAY_POD_LABELS[k] === v);
}

export function gatewayServers(view: ConfigView, ports: number[], reporter: ConfigReporter): GatewayServer[] {
  const out: GatewayServer[] = [];
  for (const gw of [...view.gateways.values()].sort(byCreation)) {
    if (!selects(gw)) continue;
    const ns = gw.metadata.namespace ?? '';
    const ref = { kind: 'Gateway', ns, name: gw.metadata.name };
    asArray(specOf(gw).servers).forEach((raw, i) => {
      const s = asRecord(raw);
      const port = asRecord(s?.port);
      if (!s || typeof port?.number !== 'number') return;
      for (const key of Object.keys(s))
        if (!SERVER_KEYS.has(key))
          reporter.notEmulated(
            ref.kind,
            ns,
            ref.name,
            `servers[${i}].${key}`,
            'the server is served as plain HTTP without it',
          );
      if (!ports.includes(port.number)) return;
      const protocol = typeof port.protocol === 'string' ? port.protocol.toUpperCase() : 'HTTP';
      if (!HTTP_PROTOCOLS.has(protocol)) {
        reporter.notEmulated(
          ref.kind,
          ns,
          ref.name,
          `servers[${i}].port.protocol=${protocol}`,
          'the local gateway serves plain HTTP only, so this server is not served',
        );
        return;
      }
      const hosts = asArray(s.hosts)
        .filter((h): h is string => typeof h === 'string')
        .map((h) => h.toLowerCase());
      out.push({ gateway: `${ns}/${gw.metadata.name}`, port: port.number, hosts });
    });
  }
  return out;
}

/**
 * Istio NamesForNamespace: the server hosts a VirtualService in `vsNamespace` may bind to.
 * `ns/host` needs ns to be the VS's namespace, `*`, or `.` (the Gateway's own namespace); `~` binds nothing.
 */
export function hostsForNamespace(server: GatewayServer, vsNamespace: string): string[] {
  const gwNamespace = server.gateway.split('/')[0]!;
  const out: string[] = [];
  for (const h of server.hosts) {
    const slash = h.indexOf('/');
    if (slash === -1) {
      out.push(h);
      continue;
    }
    const ns = h.slice(0, slash);
    if (ns === '*' || ns === vsNamespace || (ns === '.' && gwNamespace === vsNamespace))
      out.push(h.slice(slash + 1));
  }
  return out;
}

/** `<ns>/<name>`, `<name>` (the VS's namespace) or the legacy `<name>.<ns>…` form, as Istio resolves gateway names. */
export function resolveGatewayName(name: string, namespace: string): string {
  if (name.includes('/')) return name;
  if (name.includes('.')) {
    const [gw, ns] = name.split('.');
    return `${ns}/${gw}`;
  }
  return `${namespace}/${name}`;
}
