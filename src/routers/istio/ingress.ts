// Istio's ingress gateway as the seed's smoke test finds it: the load-balancer address of
// istio-system/istio-ingressgateway and its port named `http2` (else `http`, else the first).
import type { KubeObject } from '../../kube/types.js';

export function ingressUrl(svc: KubeObject): string | undefined {
  const status = svc.status as
    { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } } | undefined;
  const ingress = status?.loadBalancer?.ingress?.[0];
  const host = ingress?.ip ?? ingress?.hostname;
  const ports = (svc.spec as { ports?: Array<{ name?: string; port: number }> })?.ports ?? [];
  const port = ports.find((p) => p.name === 'http2') ?? ports.find((p) => p.name === 'http') ?? ports[0];
  if (!host || !port) return undefined;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port.port}`;
}
