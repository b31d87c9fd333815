// The one place the Gateway API router's objects are built: the Service of each color and the
// HTTPRoute with (optionally) a test rule and the default rule. Every rule stamps who serves in
// the identity response header, so the engine can verify through the Gateway.
import type { KubeObject } from '../../kube/types.js';
import { formatIdentity, IDENTITY_HEADER } from '../identity.js';
import { SERVES_LABEL } from '../plain-traffic.js';
import type { Color } from '../types.js';
import { GATEWAY_API_VERSION, type GatewayApiSettings } from './settings.js';

export interface RuleTarget {
  color: Color;
  release?: string;
  /** The port the color's Service has (default: cutover.yaml's `port:`). */
  port?: number;
}

export function colorServiceName(s: GatewayApiSettings, color: Color): string {
  return `${s.app}-${color}`;
}

export function colorService(s: GatewayApiSettings, color: Color): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: colorServiceName(s, color),
      namespace: s.namespace,
      // Reached only through the HTTPRoute: the live-color guard judges the route, not this Service.
      labels: {
        [s.appLabel]: s.app,
        [s.colorLabel]: color,
        'app.kubernetes.io/managed-by': 'cutover',
        [SERVES_LABEL]: 'routes',
      },
    },
    spec: {
      selector: { [s.appLabel]: s.app, [s.colorLabel]: color },
      ports: [{ name: 'http', port: s.servicePort, targetPort: s.targetPort, protocol: 'TCP' }],
    },
  };
}

function testMatch(s: GatewayApiSettings): Record<string, unknown> {
  const header =
    s.testMatch.type === 'cookie'
      ? { name: 'cookie', type: 'RegularExpression', value: s.testMatch.regex }
      : { name: s.testMatch.name, type: 'Exact', value: s.testMatch.value };
  return { path: { type: 'PathPrefix', value: '/' }, headers: [header] };
}

export function rule(
  s: GatewayApiSettings,
  which: 'test' | 'default',
  target: RuleTarget,
): Record<string, unknown> {
  const identity = formatIdentity({ app: s.appId, color: target.color, release: target.release });
  return {
    matches: [which === 'test' ? testMatch(s) : { path: { type: 'PathPrefix', value: '/' } }],
    filters: [
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: {
          set: [
            { name: IDENTITY_HEADER, value: identity },
            ...(s.colorHeader ? [{ name: s.colorHeader, value: target.color }] : []),
          ],
        },
      },
    ],
    backendRefs: [
      {
        group: '',
        kind: 'Service',
        name: colorServiceName(s, target.color),
        port: target.port ?? s.servicePort,
        weight: 1,
      },
    ],
  };
}

export function rules(
  s: GatewayApiSettings,
  test: RuleTarget | undefined,
  active: RuleTarget | undefined,
): unknown[] {
  return [...(test ? [rule(s, 'test', test)] : []), ...(active ? [rule(s, 'default', active)] : [])];
}

export function parentRef(s: GatewayApiSettings): Record<string, unknown> {
  const ref: Record<string, unknown> = {
    group: 'gateway.networking.k8s.io',
    kind: 'Gateway',
    name: s.gatewayRef.name,
  };
  if (s.gatewayRef.namespace !== s.namespace) ref.namespace = s.gatewayRef.namespace;
  if (s.gatewayRef.sectionName) ref.sectionName = s.gatewayRef.sectionName;
  return ref;
}

export function httpRoute(
  s: GatewayApiSettings,
  ruleList: unknown[],
  annotations: Record<string, string>,
): KubeObject {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: 'HTTPRoute',
    metadata: {
      name: s.routeName,
      namespace: s.namespace,
      labels: { [s.appLabel]: s.app, 'app.kubernetes.io/managed-by': 'cutover' },
      annotations,
    },
    spec: {
      parentRefs: [parentRef(s)],
      ...(s.hostnames.length ? { hostnames: s.hostnames } : {}),
      rules: ruleList,
    },
  };
}

/** A Gateway cutover owns: one HTTP listener on `port`, routes from the same namespace. */
export function gateway(
  name: string,
  namespace: string,
  className: string,
  port: number,
  hostname?: string,
): KubeObject {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: 'Gateway',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'cutover' } },
    spec: {
      gatewayClassName: className,
      listeners: [{ name: 'http', port, protocol: 'HTTP', ...(hostname ? { hostname } : {}) }],
    },
  };
}
