// The JSON Schema of cutover.yaml. This object is the single source: loadConfig validates
// with it, and schema/cutover.schema.json is written from it (`node --import tsx
// src/config/write-schema.ts`); a test fails when the published file drifts.
import { ANALYSIS_SCHEMA } from './analysis-schema.js';
import { ROUTER_KINDS } from './types.js';

const name63 = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 };
const seconds = { type: 'integer', minimum: 0 };
const positiveSeconds = { type: 'integer', minimum: 1 };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const argv = {
  description: 'A command: an argv list, or a string run with `sh -c`.',
  oneOf: [
    { type: 'array', items: { type: 'string' }, minItems: 1 },
    { type: 'string', minLength: 1 },
  ],
};

const execStep = {
  type: 'object',
  description: 'Run a command in one ready pod of the color.',
  required: ['command'],
  additionalProperties: false,
  properties: { command: argv, container: { type: 'string' } },
};

const check = {
  type: 'object',
  description: 'One smoke test or hook: exactly one of http, exec, command.',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    timeoutSeconds: positiveSeconds,
    http: {
      type: 'object',
      description: 'A request through the gateway with the test match.',
      required: ['path'],
      additionalProperties: false,
      properties: {
        path: { type: 'string', pattern: '^/' },
        method: { enum: ['GET', 'HEAD', 'POST'] },
        status: { type: 'integer', minimum: 100, maximum: 599 },
        expect: {
          description: "Expectations on the JSON body, e.g. '.ready == true'.",
          type: 'array',
          items: { type: 'string', minLength: 1 },
        },
        attempts: { type: 'integer', minimum: 1 },
      },
    },
    exec: execStep,
    command: {
      type: 'string',
      minLength: 1,
      description:
        'A local shell command; env has CUTOVER_TEST_URL, CUTOVER_TEST_COLOR and CUTOVER_TEST_COOKIE or CUTOVER_TEST_HEADER.',
    },
  },
  oneOf: [{ required: ['http'] }, { required: ['exec'] }, { required: ['command'] }],
};

const hook = {
  type: 'object',
  description: 'A hook: exactly one of exec, command.',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    timeoutSeconds: positiveSeconds,
    exec: execStep,
    command: check.properties.command,
  },
  oneOf: [{ required: ['exec'] }, { required: ['command'] }],
};

export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://cutover.dev/schema/cutover.schema.json',
  title: 'cutover.yaml',
  description:
    'Configuration of cutover, blue-green releases for Kubernetes with Istio. See docs/configuration.md.',
  type: 'object',
  required: ['app'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    app: {
      ...name63,
      maxLength: 40,
      description: 'App name: Service, labels app=<app>, Deployments <app>-blue / <app>-green.',
    },
    namespace: { ...name63, description: 'Namespace; default from --namespace or the kubeconfig context.' },
    image: {
      type: 'string',
      minLength: 1,
      description: 'Image repository, e.g. docker.io/me/myapp (deploy --tag T uses <image>:T).',
    },
    container: { ...name63, description: 'Container name; default the app name.' },
    port: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      description: 'Container port, also the Service port.',
    },
    replicas: { type: 'integer', minimum: 1, maximum: 1000 },
    readinessPath: { type: 'string', pattern: '^/' },
    env: {
      ...stringMap,
      description: 'Plain environment values (visible in the Deployment). Put secrets in `secrets`.',
    },
    secrets: {
      type: 'object',
      description: 'Secret per color, mounted with envFrom (e.g. env-blue / env-green).',
      additionalProperties: false,
      properties: { blue: name63, green: name63 },
    },
    imagePullSecrets: { type: 'array', items: name63 },
    router: {
      enum: [...ROUTER_KINDS],
      description:
        'How traffic is switched: Istio VirtualService + DestinationRule (default), a Gateway API HTTPRoute, or a plain Service selector.',
    },
    serviceType: {
      enum: ['LoadBalancer', 'ClusterIP', 'NodePort'],
      description: 'router: service — type of the app and preview Services; default LoadBalancer.',
    },
    previewUrl: {
      type: 'string',
      pattern: '^https?://',
      description:
        'router: service — URL that reaches the preview Service; default: its load-balancer address.',
    },
    gateway: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: name63,
        className: {
          type: 'string',
          minLength: 1,
          description:
            'router: gateway-api — gatewayClassName of the Gateway cutover creates; default istio.',
        },
        namespace: {
          ...name63,
          description: "router: gateway-api — the Gateway's namespace; default the app's.",
        },
        hosts: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        selector: stringMap,
        create: { type: 'boolean' },
      },
    },
    gatewayUrl: {
      type: 'string',
      pattern: '^https?://',
      description: 'Ingress gateway base URL; default: found from istio-system/istio-ingressgateway.',
    },
    testMatch: {
      description: 'How test traffic is told apart: a cookie (default test=true) or a header.',
      type: 'object',
      required: ['type'],
      discriminator: { propertyName: 'type' },
      oneOf: [
        {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: {
            type: { const: 'cookie' },
            name: { type: 'string', pattern: '^[!#-+.-9A-Z^-z|~-]+$' },
            value: { type: 'string' },
            regex: { type: 'string', minLength: 1 },
          },
        },
        {
          type: 'object',
          required: ['type', 'name', 'value'],
          additionalProperties: false,
          properties: {
            type: { const: 'header' },
            name: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
            value: { type: 'string', minLength: 1 },
          },
        },
      ],
    },
    versionHeader: {
      type: 'string',
      pattern: '^[A-Za-z0-9-]+$',
      description: 'Response header the routes stamp with the serving color.',
    },
    smokeTests: { type: 'array', items: check },
    hooks: {
      type: 'object',
      additionalProperties: false,
      properties: { preTest: { type: 'array', items: hook } },
    },
    drainSeconds: seconds,
    lockTimeoutSeconds: seconds,
    leaseDurationSeconds: { type: 'integer', minimum: 5, maximum: 3600 },
    rolloutTimeoutSeconds: positiveSeconds,
    podFailureLimit: {
      type: 'integer',
      minimum: 0,
      maximum: 100,
      description:
        'Deploy fails once a new pod failed this often the same way (image pull, crash, missing Secret key); 0 waits out rolloutTimeoutSeconds.',
    },
    verifyTimeoutSeconds: positiveSeconds,
    operationTimeoutSeconds: {
      ...positiveSeconds,
      description:
        'Deadline of a whole command, lock wait included: then it stops, releases the lock and says what it left.',
    },
    historyLimit: { type: 'integer', minimum: 1, maximum: 200 },
    analysis: ANALYSIS_SCHEMA,
    manifests: {
      description: 'Use your own manifest folder (relative to this file) instead of the built-in objects.',
      oneOf: [
        { type: 'string', minLength: 1 },
        {
          type: 'object',
          required: ['dir'],
          additionalProperties: false,
          properties: { dir: { type: 'string', minLength: 1 }, variables: stringMap },
        },
      ],
    },
  },
} as const;
