// The Gateway API part of the local gateway's configuration: the Gateways this controller serves
// (GatewayClass spec.controllerName = ours), the routing table of each Gateway port, and the
// status a controller reports for classes, Gateways, listeners and route parents.
import type { KubeObject } from '../../store/types.js';
import type { ClusterRegistry } from '../clusters.js';
import { specOf, type ConfigView } from '../config-view.js';
import type { ConfigReporter } from '../not-emulated.js';
import type { RoutingTable } from '../route-types.js';
import {
  attachRoutes,
  listenersOf,
  servedGateways,
  type Attachment,
  type ListenerSpec,
  type ParentStatus,
} from './attach.js';
import { listenerTable } from './listener-table.js';

/** What istiod's Gateway API controller calls itself; the local cluster installs the `istio` class for it. */
export const LOCAL_CONTROLLER_NAME = 'istio.io/gateway-controller';

export interface ServedListener extends ListenerSpec {
  attachedRoutes: number;
  /** Why the listener cannot be served, or undefined. */
  unsupported?: string;
}

export interface ServedGateway {
  key: string;
  gateway: KubeObject;
  listeners: ServedListener[];
  /** One table per port the Gateway listens on (listeners sharing a port share it). */
  tables: Map<number, RoutingTable>;
}

export interface GatewayApiConfig {
  classes: KubeObject[];
  gateways: Map<string, ServedGateway>;
  routeParents: Map<string, ParentStatus[]>;
}

export function compileGatewayApi(
  view: ConfigView,
  registry: ClusterRegistry,
  version: number,
  reporter: ConfigReporter,
): GatewayApiConfig {
  const classes = [...view.gatewayclasses.values()].filter(
    (c) => specOf(c).controllerName === LOCAL_CONTROLLER_NAME,
  );
  const served = servedGateways(view.gatewayclasses, view.k8sgateways, LOCAL_CONTROLLER_NAME);
  const { attachments, routeParents } = attachRoutes(
    view.httproutes.values(),
    served,
    view.services,
    LOCAL_CONTROLLER_NAME,
  );
  const gateways = new Map<string, ServedGateway>();
  for (const [key, gateway] of served) {
    const listeners: ServedListener[] = listenersOf(gateway).map((l) => ({
      ...l,
      attachedRoutes: attachments.get(`${key}/${l.name}`)?.length ?? 0,
      unsupported:
        l.protocol === 'HTTP'
          ? undefined
          : `protocol ${l.protocol} is not served by the local gateway (plain HTTP only)`,
    }));
    const byPort = new Map<number, Attachment[]>();
    for (const l of listeners) {
      if (l.unsupported) continue;
      byPort.set(l.port, [...(byPort.get(l.port) ?? []), ...(attachments.get(`${key}/${l.name}`) ?? [])]);
    }
    const tables = new Map<number, RoutingTable>();
    for (const [port, list] of byPort)
      tables.set(port, listenerTable(list, registry, port, version, reporter));
    gateways.set(key, { key, gateway, listeners, tables });
  }
  return { classes, gateways, routeParents };
}
