// The compiled routing table: immutable once built; the proxy swaps the whole table when a change
// propagates, so a request keeps the route objects it started with.
import type { Cluster } from './clusters.js';
import type { HeaderParser } from './header-ops.js';
import type { DomainIndex } from './hosts.js';
import type { RequestFacts } from './request-facts.js';
import type { UriSpec } from './route-match.js';

export interface RouteDestination {
  weight: number;
  clusterName: string;
  /** Undefined when Envoy would not have this cluster (unknown Service, port or subset): 503 NC. */
  cluster?: Cluster;
  /** Metric labels when no endpoint was reached. */
  metrics: string;
  /** Status of the local reply when `cluster` is undefined: 503 (Istio's NC) unless set (Gateway API: 500). */
  localReplyStatus?: number;
  /** Applied in order (weighted: destination's then route's; single: one merged parser). */
  requestParsers: HeaderParser[];
  responseParsers: HeaderParser[];
  authority?: string;
}

export interface Rewrite {
  uri?: string;
  regex?: { pattern: string; substitution: string };
}

export type RouteAction =
  | {
      kind: 'forward';
      destinations: RouteDestination[];
      totalWeight: number;
      timeoutMs: number;
      rewrite?: Rewrite;
    }
  | {
      kind: 'redirect';
      status: number;
      scheme?: string;
      authority?: string;
      uri?: string;
      port?: number;
      responseParsers: HeaderParser[];
    }
  | { kind: 'direct'; status: number; body?: Buffer; responseParsers: HeaderParser[] };

export interface CompiledRoute {
  /** `http[].name` plus `.match[].name` when set, as Envoy names the route. */
  name: string;
  /** `VirtualService namespace/name`, for logs. */
  source: string;
  test: (f: RequestFacts) => boolean;
  catchAll: boolean;
  uri: UriSpec;
  action: RouteAction;
}

export interface VirtualHost {
  domain: string;
  routes: CompiledRoute[];
}

export interface RoutingTable {
  /** Increases with every propagated change. */
  version: number;
  hosts: DomainIndex<VirtualHost>;
  /** Gateway server port numbers this listener serves. */
  serverPorts: number[];
}
