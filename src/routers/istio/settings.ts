// Where the Istio router writes and what it writes; derived from cutover.yaml or the user's
// manifests (engine/app-source.ts builds it).
import type { KubeObject } from '../../kube/types.js';

export interface RouteSettings {
  namespace: string;
  /** The Service both colors sit behind (the destination host). */
  serviceHost: string;
  servicePort?: number;
  virtualServiceName: string;
  destinationRuleName: string;
  /** The Gateway to ensure; undefined when the user's Gateway lives elsewhere. */
  gateway?: KubeObject;
  /** VirtualService spec.gateways and spec.hosts. */
  gateways: string[];
  hosts: string[];
  /** Istio HTTPMatchRequest list that selects testers, e.g. [{headers:{cookie:{regex:…}}}]. */
  testMatch: Record<string, unknown>[];
  /** What a tester sends to match it: the test cookie or header. */
  testHeaders: Record<string, string>;
  /** Pod label that carries the color (the subsets select on it). */
  colorLabel: string;
  /** Response header the routes set to the color that served (read alone from older routes). */
  colorHeader: string;
  /** `namespace/app`: who the routes say served, with the color and release (./identity.ts). */
  appId: string;
  routeNames: { test: string; default: string };
  /** Annotations stamped on the VirtualService by a switch (who, which release). */
  annotationPrefix: string;
  /** The user's own VirtualService/DestinationRule, kept as the template (extra fields survive). */
  virtualServiceTemplate?: KubeObject;
  destinationRuleTemplate?: KubeObject;
  /** The routes come from the user's manifests folder (problems are named in its terms). */
  fromManifests?: boolean;
  /** Base URL to verify through (gatewayUrl) instead of the ingress gateway's address. */
  url?: string;
}
