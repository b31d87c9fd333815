// The `istio-system/istio-ingressgateway` Service that makes the local gateway discoverable the
// way the seed's smoke test discovers a real one: `.status.loadBalancer.ingress[0].ip` and the
// port named `http2`. Its port is the gateway's real listening port, so `http://IP:PORT` works.
import { findResource } from './resources.js';
import type { KubeObject, ObjectStore } from './store/types.js';

const services = findResource('', 'services')!;

export function ensureIngressGatewayService(store: ObjectStore, host: string, gatewayPort: number): void {
  const labels = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
  const desired: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', labels },
    spec: {
      type: 'LoadBalancer',
      selector: labels,
      ports: [
        { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
        { name: 'http2', port: gatewayPort, targetPort: gatewayPort, protocol: 'TCP' },
      ],
    },
  };
  const existing = store.get(services, 'istio-system', 'istio-ingressgateway');
  const saved = existing
    ? store.update(services, { ...desired, metadata: { ...existing.metadata, labels } })
    : store.create(services, desired);
  store.update(
    services,
    { ...saved, status: { loadBalancer: { ingress: [{ ip: host }] } } },
    { subresource: 'status' },
  );
}
