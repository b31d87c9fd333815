// What the Gateway API router writes and where: derived from cutover.yaml by the factory.
import type { KubeObject } from '../../kube/types.js';

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

export interface GatewayApiSettings {
  namespace: string;
  /** App name: the per-color Services are `<app>-<color>`, the HTTPRoute `<app>`. */
  app: string;
  /** `namespace/app`, stamped in the identity header with the color and release. */
  appId: string;
  routeName: string;
  /** The Gateway the route attaches to; `create` makes cutover own it (with `gateway` as its body). */
  gatewayRef: { name: string; namespace: string; sectionName?: string };
  gateway?: KubeObject;
  hostnames: string[];
  /** Pod labels: `app` selects the app, `color` the color. */
  appLabel: string;
  colorLabel: string;
  /** Port of the per-color Services and the pods' port they target. */
  servicePort: number;
  targetPort: number | string;
  /** How testers are told apart: the cookie (RE2 regex on the Cookie header) or a header with an exact value. */
  testMatch:
    | { type: 'cookie'; name: string; value: string; regex: string }
    | { type: 'header'; name: string; value: string };
  annotationPrefix: string;
  /** Response header stamped with the serving color alone (what dashboards and the demo read). */
  colorHeader?: string;
  /** Base URL to verify through instead of the Gateway's status.addresses. */
  url?: string;
}
