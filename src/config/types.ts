// The shape of cutover.yaml. `CutoverConfigFile` is what a user writes (validated by the JSON
// Schema in schema/cutover.schema.json); `CutoverConfig` is what loadConfig() returns: every
// default filled in (src/config/defaults.ts), env overrides applied, paths made absolute.
// The engine reads only CutoverConfig.
//
// Functions (src/config/index.ts):
//   loadConfig(path: string, options: LoadConfigOptions): CutoverConfig   // InputError (exit 2) naming file + field + fix
//   validateConfig(raw: unknown, file: string, env): CutoverConfig         // same, from an already-parsed object
//   DEFAULTS (src/config/defaults.ts); DEFAULT_COOKIE_REGEX

import type { AnalysisConfig } from './analysis-types.js';

export type Color = 'blue' | 'green';
export const COLORS: readonly Color[] = ['blue', 'green'];

/** One smoke test. Exactly one of http / exec / command. */
export type SmokeTest = HttpSmokeTest | ExecSmokeTest | CommandSmokeTest;

export interface HttpSmokeTest {
  type: 'http';
  name: string;
  /** Path through the gateway, e.g. '/ready'. Sent with the test match (cookie or header). */
  path: string;
  method: 'GET' | 'HEAD' | 'POST';
  /** Expected HTTP status. Default 200. */
  status: number;
  /** jq-like expectations on the JSON body, e.g. '.ready == true', '.version == "v2"'. */
  expect: string[];
  timeoutMs: number;
  /** Attempts before failing (the route may need a moment to propagate). Default 10. */
  attempts: number;
}

export interface ExecSmokeTest {
  type: 'exec';
  name: string;
  /** argv run in one ready pod of the tested color, e.g. ['npm', 'run', 'ping']. */
  command: string[];
  /** Container name; default the app's container (config.container). */
  container: string;
  timeoutMs: number;
}

export interface CommandSmokeTest {
  type: 'command';
  name: string;
  /**
   * A shell command run locally (sh -c). Its env has CUTOVER_TEST_URL (gateway URL),
   * CUTOVER_TEST_COLOR, CUTOVER_TEST_COOKIE ('test=true') or CUTOVER_TEST_HEADER ('name: value').
   */
  run: string;
  timeoutMs: number;
}

/** A hook: exec in a pod of the color (e.g. `npm run migrate`) or a local shell command. */
export type Hook = ExecSmokeTest | CommandSmokeTest;

/** How test traffic is told apart from plain traffic at the gateway. */
export type TestMatch =
  | {
      type: 'cookie';
      /** Cookie name and value, default test / true. */
      name: string;
      value: string;
      /** RE2 full-match regex on the Cookie header. Default tolerates '; ' separators. */
      regex: string;
    }
  | {
      type: 'header';
      /** Lower-case header name, e.g. 'x-cutover-test'. */
      name: string;
      /** Exact value. */
      value: string;
    };

export type RouterKind = 'istio' | 'gateway-api' | 'service';
/** Every value of `router:` (the schema's enum, `cutover init --router`). */
export const ROUTER_KINDS: readonly RouterKind[] = ['istio', 'gateway-api', 'service'];

export interface GatewayConfig {
  /** Gateway object name; default `<app>-gateway`. */
  name: string;
  /** router: gateway-api — gatewayClassName of the Gateway cutover creates; default 'istio'. */
  className: string;
  /** router: gateway-api — namespace of the Gateway; undefined = the app's. */
  namespace?: string;
  /** Hosts the Gateway and VirtualService serve; default ['*']. */
  hosts: string[];
  /** Server port number; default 80. */
  port: number;
  /** Gateway selector; default { istio: 'ingressgateway' }. */
  selector: Record<string, string>;
  /** Whether cutover creates the Gateway (false: it exists already, managed elsewhere). Default true. */
  create: boolean;
}

export interface CutoverConfig {
  /** Absolute path of cutover.yaml ('' when built from defaults only). */
  file: string;
  /** App name: Service, DestinationRule host, labels `app=<app>`, Deployments `<app>-<color>`. */
  app: string;
  /** Namespace; undefined = from --namespace / kubeconfig. */
  namespace?: string;
  /** Image repository, e.g. 'docker.io/me/myapp'. `deploy --tag T` uses `<repository>:<T>`. */
  imageRepository?: string;
  /** Container name in the pod; default = app. */
  container: string;
  /** Container port; default 3000 (the seed's app). Service port = this port. */
  port: number;
  /** Replicas per color; default 1. */
  replicas: number;
  /** HTTP readiness probe path; default '/ready'. */
  readinessPath: string;
  /** Plain env values for the container (not secret: they appear in the Deployment). */
  env: Record<string, string>;
  /** Secret per color, referenced with envFrom (the seed's env-blue / env-green). Absent = none. */
  secrets: Partial<Record<Color, string>>;
  /** imagePullSecrets names, e.g. ['dockerhub']. */
  imagePullSecrets: string[];
  /** How traffic is switched (src/routers/): default 'istio'. */
  router: RouterKind;
  /** router: service — type of the app and preview Services. Default LoadBalancer. */
  serviceType: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  /** router: service — URL that reaches the preview Service from where cutover runs. */
  previewUrl?: string;
  gateway: GatewayConfig;
  /** Base URL of the ingress gateway; undefined = discover from istio-system/istio-ingressgateway. */
  gatewayUrl?: string;
  testMatch: TestMatch;
  /** Response header the routes stamp with the serving color; default 'x-cutover-color'. */
  versionHeader: string;
  smokeTests: SmokeTest[];
  hooks: { preTest: Hook[] };
  /** Wait after the switch before decommission may delete the old color. Default 30. */
  drainSeconds: number;
  /** How long a command waits in line for the lock. Default 600. */
  lockTimeoutSeconds: number;
  /** Lease duration; a crashed holder is taken over this long after its last renewal. Default 60. */
  leaseDurationSeconds: number;
  /** How long deploy waits for every replica to be available. Default 300. */
  rolloutTimeoutSeconds: number;
  /**
   * Deploy fails as soon as a new pod's container failed this many times the same way (image
   * pull, crash, missing Secret/ConfigMap key), without waiting out rolloutTimeoutSeconds. 0 never
   * fails early. Default 3.
   */
  podFailureLimit: number;
  /** How long promote/rollback probe the gateway for the new color. Default 60. */
  verifyTimeoutSeconds: number;
  /** Deadline of a whole command (lock wait included): it stops, releases the lock, reports. */
  operationTimeoutSeconds: number;
  /** History entries kept in the ConfigMap. Default 20. */
  historyLimit: number;
  /**
   * Use the user's own manifests (e.g. the seed's manifests/ folder) instead of the builders.
   * `dir` is absolute. Variables come from the environment plus COLOR_ACTIVE / COLOR_TEST.
   */
  manifests?: { dir: string; variables: Record<string, string> };
  /** Metrics analysis before and after promotion; undefined = none. */
  analysis?: AnalysisConfig;
}

/** What loadConfig takes. */
export interface LoadConfigOptions {
  /** Environment for CUTOVER_* overrides (allow-list in src/config/env-overrides.ts). */
  env: Record<string, string | undefined>;
  /** Injected for tests; default fs.readFileSync(path, 'utf8'). */
  readFile?: (path: string) => string;
}
