// The commented starter cutover.yaml that `cutover init` writes. Every default shown here comes
// from src/config/defaults.ts, so the file and the code cannot disagree.
import { DEFAULTS } from '../../config/defaults.js';
import type { RouterKind } from '../../config/types.js';

export interface StarterOptions {
  app: string;
  /** gateway.hosts; default ["*"], written out with what it means. */
  hosts?: string[];
  image?: string;
  namespace?: string;
  /** Write `manifests: DIR` instead of the built-in objects. */
  manifests?: string;
  /** How traffic is switched; default istio (written out for the others). */
  router?: RouterKind;
}

export function renderStarter(o: StarterOptions): string {
  const d = DEFAULTS;
  const lines = [
    `# cutover.yaml: blue-green releases of one app on Kubernetes (${ROUTER_TEXT[o.router ?? 'istio']}).`,
    '# Reference: docs/configuration.md; JSON Schema for editors: schema/cutover.schema.json',
    '# yaml-language-server: $schema=https://cutover.dev/schema/cutover.schema.json',
    '',
    '# The app: Service <app>, Deployments <app>-blue and <app>-green, labels app=<app>.',
    `app: ${o.app}`,
    o.namespace
      ? `namespace: ${o.namespace}`
      : '# namespace: default        # default: --namespace, else the kubeconfig context',
    o.image
      ? `image: ${o.image}`
      : `# image: docker.io/you/${o.app}   # repository; \`cutover deploy --tag v2\` uses <image>:v2`,
    '',
    `port: ${d.port}                 # container port, also the Service port`,
    `replicas: ${d.replicas}                 # per color`,
    `readinessPath: ${d.readinessPath}      # HTTP readiness probe; no traffic moves before every replica is ready`,
    '',
    '# Plain settings for the container. Never put passwords here: they end up in the Deployment.',
    'env:',
    '  NODE_ENV: production',
    '',
    '# Secrets per color, loaded with envFrom (create them once, e.g.',
    '#   kubectl create secret generic env-blue --from-literal=DB_PASSWORD=…).',
    '# secrets:',
    '#   blue: env-blue',
    '#   green: env-green',
    '',
    ...routing(o),
    o.router === 'service'
      ? '# Run against the color under test before promote (HTTP ones through the preview Service).'
      : '# Run against the color under test before promote.',
    'smokeTests:',
    `  - http: { path: ${d.readinessPath}, status: 200, expect: [".ready == true"] }`,
    '  # - exec: { command: [npm, run, ping] }          # in a pod of the color',
    '  # - command: ./smoke.sh                          # locally, with CUTOVER_TEST_URL and CUTOVER_TEST_COOKIE',
    '',
    '# hooks:',
    '#   preTest:',
    '#     - exec: { command: [npm, run, migrate] }     # e.g. database migrations, in a pod of the color',
    '',
    `drainSeconds: ${d.drainSeconds}            # after promote, before the old color may be removed`,
    `lockTimeoutSeconds: ${d.lockTimeoutSeconds}     # how long a release waits for another to finish`,
    `rolloutTimeoutSeconds: ${d.rolloutTimeoutSeconds}  # how long deploy waits for every replica`,
  ];
  if (o.manifests) {
    lines.push(
      '',
      '# Your own manifests instead of the built-in objects ($VAR / ${VAR} from the environment,',
      '# plus COLOR_ACTIVE and COLOR_TEST; any unset variable is an error).',
      `manifests: ${o.manifests}`,
    );
  }
  return lines.join('\n') + '\n';
}

const ROUTER_TEXT: Record<RouterKind, string> = {
  istio: 'Istio VirtualService + DestinationRule',
  'gateway-api': 'a Gateway API HTTPRoute',
  service: 'a plain Service selector switch',
};

const hostList = (o: StarterOptions) =>
  `[${(o.hosts?.length ? o.hosts : ['*']).map((h) => JSON.stringify(h)).join(', ')}]`;

/** The part that depends on the router: how traffic is switched and where it is verified. */
function routing(o: StarterOptions): string[] {
  const d = DEFAULTS;
  const testMatch = [
    '',
    '# Test traffic reaches the color under test by this cookie (browsers: test=true).',
    '# testMatch: { type: cookie, name: test, value: "true" }',
    '# testMatch: { type: header, name: x-cutover-test, value: "true" }',
    '',
  ];
  switch (o.router ?? 'istio') {
    case 'istio':
      return [
        '# How traffic is switched: istio (default), gateway-api or service (docs/routers/istio.md).',
        '# router: istio',
        '',
        '# The Istio Gateway and the hosts this app answers on it. Several apps on one gateway each',
        '# need their own host: Istio merges routes of the same host in an undefined order, so',
        '# cutover refuses to deploy an app whose host another VirtualService on the gateway routes.',
        '# "*" takes every host: right only while this app is alone on its gateway.',
        'gateway:',
        `  hosts: ${hostList(o)}`,
        `  # name: ${o.app}-gateway   # a shared gateway: its name, with create: false`,
        '  # create: true            # false: the Gateway exists and is managed elsewhere',
        `  # port: ${d.gateway.port}`,
        '  # selector: { istio: ingressgateway }',
        '',
        '# Where the gateway answers; default: found from istio-system/istio-ingressgateway.',
        '# gatewayUrl: http://127.0.0.1:8080',
        ...testMatch,
      ];
    case 'gateway-api':
      return [
        '# How traffic is switched: one Gateway API HTTPRoute (Envoy Gateway, Istio, Contour, NGINX',
        '# Gateway Fabric, Cilium, GKE…): its default rule sends users to the live color, its test',
        '# rule sends testers to the color under test; Services <app>-blue and <app>-green.',
        '# docs/routers/gateway-api.md',
        'router: gateway-api',
        '',
        '# The Gateway the HTTPRoute attaches to, and the hosts this app answers on it. Apps sharing',
        '# a Gateway each need their own host. "*" takes every host: only while the app is alone.',
        'gateway:',
        `  hosts: ${hostList(o)}`,
        `  # name: ${o.app}-gateway   # an existing Gateway: its name, with create: false`,
        '  # create: true            # false: attach to a Gateway managed elsewhere',
        `  # className: ${d.gateway.className}        # gatewayClassName of the Gateway cutover creates`,
        "  # namespace: infra        # the Gateway's namespace; default the app's",
        `  # port: ${d.gateway.port}`,
        '',
        "# Where the Gateway answers; default: its status.addresses and HTTP listener's port.",
        '# gatewayUrl: http://203.0.113.7',
        ...testMatch,
      ];
    case 'service':
      return [
        '# How traffic is switched: no mesh, no gateway. Service <app> selects the live color,',
        '# Service <app>-preview the color under test (testers use its address); promote and',
        '# rollback write the selector once. A switch moves new connections: keep-alive ones stay',
        "# until they close, so make drainSeconds longer than your clients' keep-alive.",
        '# docs/routers/service.md',
        'router: service',
        `serviceType: ${d.serviceType}   # of both Services; ClusterIP or NodePort: set the URLs below, or`,
        '                            # cutover says plainly that the data plane was not verified',
        '',
        '# URLs that reach the Services from where cutover runs; default: their load-balancer addresses.',
        '# gatewayUrl: http://myapp.example.com',
        '# previewUrl: http://preview.myapp.example.com',
        '',
      ];
  }
}
