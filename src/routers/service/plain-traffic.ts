// Plain Services' share of "who sends plain traffic to these pods": a Service whose selector picks
// the pods of one color (and not the other's) is a traffic switch by itself — the Service router's
// app Service, or one a team made by hand (a LoadBalancer, an Ingress's backend, what in-cluster
// clients call). Left out:
// - Services whose selector does not tell the colors apart (`app=myapp`): a mesh's host Service,
//   narrowed to a color by routes (which their own finders judge);
// - Services labelled by cutover as carrying no plain traffic (SERVES_LABEL: the preview Service,
//   Gateway API color Services);
// - ClusterIP Services that route objects name as destinations: users reach them through those
//   routes. A Service exposed by itself (LoadBalancer, NodePort, externalIPs) always counts.
import type { KubeObject } from '../../kube/types.js';
import {
  selects,
  SERVES_LABEL,
  type NamespaceRouting,
  type PlainRoute,
  type PlainTrafficFinder,
} from '../plain-traffic.js';

type ServiceSpec = { selector?: Record<string, string>; type?: string; externalIPs?: string[] };

const OTHER: Record<string, string> = { blue: 'green', green: 'blue' };

/** The same pod with the other color: every `blue` label value becomes `green`, and back. */
function otherColorLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, OTHER[v] ?? v]));
}

function exposed(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.externalIPs?.length ?? 0) > 0;
}

function describeSelector(spec: ServiceSpec): string {
  const selector = Object.entries(spec.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `selector ${selector}, type ${spec.type ?? 'ClusterIP'}`;
}

export const serviceSelectorPlainTraffic: PlainTrafficFinder = {
  kinds: [],
  find(routing: NamespaceRouting, podLabels: Record<string, string>): PlainRoute[] {
    const other = otherColorLabels(podLabels);
    return routing.services.flatMap((svc: KubeObject) => {
      const spec = (svc.spec ?? {}) as ServiceSpec;
      if (!selects(spec.selector, podLabels) || selects(spec.selector, other)) return [];
      if (svc.metadata.labels?.[SERVES_LABEL]) return [];
      if (!exposed(spec) && routing.routedServices?.has(svc.metadata.name)) return [];
      return [
        {
          kind: 'Service',
          namespace: routing.namespace,
          name: svc.metadata.name,
          via: describeSelector(spec),
        },
      ];
    });
  },
};
