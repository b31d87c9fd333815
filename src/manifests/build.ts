// Builders: pure functions from the configuration to the objects cutover applies. No I/O, no
// clock: the same input gives the same object, so plans and snapshots are stable.
import type { Color, CutoverConfig, TestMatch } from '../config/types.js';
import type { KubeObject } from '../kube/types.js';
import {
  defaultRouteName,
  deploymentName,
  destinationRuleName,
  ISTIO_API_VERSION,
  serviceName,
  testRouteName,
  virtualServiceName,
} from './names.js';
import { ANNOTATIONS, LABELS, MANAGED_BY, type DeploymentSpecInput, type RouteSet } from './types.js';

function meta(c: CutoverConfig, name: string, labels: Record<string, string> = {}) {
  return {
    name,
    ...(c.namespace ? { namespace: c.namespace } : {}),
    labels: { [LABELS.app]: c.app, ...labels, [LABELS.managedBy]: MANAGED_BY },
  };
}

/** One Service over both colors (selector `app` only); colors are told apart by DR subsets. */
export function buildService(c: CutoverConfig): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(c, serviceName(c)),
    spec: {
      selector: { [LABELS.app]: c.app },
      // Port name `http` makes Istio treat the traffic as HTTP (protocol detection by name).
      // targetPort by name: each pod's endpoint is its own container port `http`, so after a
      // change of `port:` the live color's pods (the old port) and the new release's (the new
      // one) are both reached through this one Service while both run.
      ports: [{ name: 'http', port: c.port, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

export function buildDeployment(c: CutoverConfig, input: DeploymentSpecInput): KubeObject {
  const { color, image, release } = input;
  const selector = { [LABELS.app]: c.app, [LABELS.color]: color };
  const podLabels = { ...selector, [LABELS.version]: release, [LABELS.release]: release };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...meta(c, deploymentName(c, color), { [LABELS.color]: color, [LABELS.release]: release }),
      annotations: { [ANNOTATIONS.image]: image },
    },
    spec: {
      replicas: c.replicas,
      selector: { matchLabels: selector },
      // Each color is its own Deployment and takes no user traffic while it changes, so
      // Recreate (as the seed) is safe and avoids two versions answering the test route.
      strategy: { type: 'Recreate' },
      template: { metadata: { labels: podLabels }, spec: podSpec(c, input) },
    },
  };
}

function podSpec(c: CutoverConfig, { color, image, release }: DeploymentSpecInput): Record<string, unknown> {
  const env = [
    ...Object.keys(c.env)
      .sort()
      .map((name) => ({ name, value: c.env[name]! })),
    { name: 'CUTOVER_COLOR', value: color },
    { name: 'CUTOVER_RELEASE', value: release },
  ];
  const secret = c.secrets[color];
  const container: Record<string, unknown> = {
    name: c.container,
    image,
    ports: [{ name: 'http', containerPort: c.port, protocol: 'TCP' }],
    readinessProbe: {
      httpGet: { path: c.readinessPath, port: c.port },
      periodSeconds: 2,
      failureThreshold: 3,
    },
    env,
    ...(secret ? { envFrom: [{ secretRef: { name: secret } }] } : {}),
  };
  return {
    ...(c.imagePullSecrets.length ? { imagePullSecrets: c.imagePullSecrets.map((name) => ({ name })) } : {}),
    containers: [container],
  };
}

/** Subsets for the given colors (blue before green), labels narrowed by `color`. */
export function buildDestinationRule(c: CutoverConfig, subsets: Color[]): KubeObject {
  const colors = (['blue', 'green'] as const).filter((col) => subsets.includes(col));
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'DestinationRule',
    metadata: meta(c, destinationRuleName(c)),
    spec: {
      host: serviceName(c),
      subsets: colors.map((color) => ({ name: color, labels: { [LABELS.color]: color } })),
    },
  };
}

export function buildGateway(c: CutoverConfig): KubeObject {
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'Gateway',
    metadata: meta(c, c.gateway.name),
    spec: {
      selector: { ...c.gateway.selector },
      servers: [
        { port: { number: c.gateway.port, name: 'http', protocol: 'HTTP' }, hosts: [...c.gateway.hosts] },
      ],
    },
  };
}

/**
 * The route set: the test route (matched by the test cookie or header) FIRST, the default
 * route LAST (first match wins, and the seed's checks read `.spec.http[-1]` as the live color).
 * Each route stamps the serving color in a response header, which is how promote verifies.
 */
export function buildVirtualService(c: CutoverConfig, routes: RouteSet): KubeObject {
  const http: Array<Record<string, unknown>> = [];
  if (routes.test)
    http.push({ name: testRouteName(c), match: [testMatchBlock(c.testMatch)], ...routeTo(c, routes.test) });
  if (routes.active) http.push({ name: defaultRouteName(c), ...routeTo(c, routes.active) });
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'VirtualService',
    metadata: meta(c, virtualServiceName(c)),
    spec: { hosts: [...c.gateway.hosts], gateways: [c.gateway.name], http },
  };
}

function routeTo(c: CutoverConfig, color: Color): Record<string, unknown> {
  return {
    route: [{ destination: { host: serviceName(c), subset: color }, weight: 100 }],
    headers: { response: { set: { [c.versionHeader]: color } } },
  };
}

export function testMatchBlock(m: TestMatch): Record<string, unknown> {
  return m.type === 'cookie'
    ? { headers: { cookie: { regex: m.regex } } }
    : { headers: { [m.name]: { exact: m.value } } };
}
