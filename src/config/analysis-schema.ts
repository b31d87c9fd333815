// The JSON Schema of `analysis:` in cutover.yaml (metrics analysis before and after promotion).
// Part of CONFIG_SCHEMA (schema.ts); kept here so the analysis fields read as one page.

const positive = { type: 'integer', minimum: 1 };
const url = { type: 'string', pattern: '^https?://' };

const window = {
  type: 'object',
  additionalProperties: false,
  description: 'How long and how often to judge: one measurement of every metric each interval.',
  properties: {
    durationSeconds: { type: 'integer', minimum: 0, description: '0 turns this analysis off.' },
    intervalSeconds: positive,
  },
};

const metric = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  description:
    'A metric: a built-in (success-rate, latency-p99, latency-p50) or one of query, webhook, command.',
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
    min: { type: 'number', description: 'Passes when the value is at least this.' },
    max: { type: 'number', description: 'Passes when the value is at most this.' },
    condition: {
      type: 'string',
      minLength: 1,
      description: "An expression over `result`, e.g. 'result >= 0.95 && result < 2'.",
    },
    query: {
      type: 'string',
      minLength: 1,
      description:
        'PromQL (provider prometheus) with {{app}} {{namespace}} {{color}} {{release}} {{interval}}.',
    },
    webhook: {
      type: 'object',
      required: ['url'],
      additionalProperties: false,
      description: "Flagger's contract: POST {name, namespace, phase, checksum, metadata}; 2xx passes.",
      properties: {
        url,
        timeoutSeconds: positive,
        metadata: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    command: {
      type: 'string',
      minLength: 1,
      description:
        'A local shell command; exit 0 passes. Env: CUTOVER_APP, _NAMESPACE, _COLOR, _RELEASE, _PHASE.',
    },
    timeoutSeconds: positive,
    failureLimit: { type: 'integer', minimum: 0 },
  },
};

export const ANALYSIS_SCHEMA = {
  type: 'object',
  required: ['metrics'],
  additionalProperties: false,
  description: 'Judge a release by its metrics before promotion (cutover test) and after it (promote).',
  properties: {
    provider: {
      enum: ['gateway', 'prometheus'],
      description: "Where the built-in metrics come from: the ingress gateway's own stats, or Prometheus.",
    },
    prometheus: {
      type: 'object',
      required: ['address'],
      additionalProperties: false,
      properties: {
        address: url,
        bearerTokenEnv: {
          type: 'string',
          pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
          description: 'Name of an environment variable holding the bearer token.',
        },
        bearerTokenSecret: {
          type: 'object',
          required: ['name', 'key'],
          additionalProperties: false,
          description: "A Secret in the app's namespace holding the bearer token.",
          properties: { name: { type: 'string', minLength: 1 }, key: { type: 'string', minLength: 1 } },
        },
        caFile: { type: 'string', minLength: 1, description: 'PEM file of the CA (relative to this file).' },
        insecureSkipVerify: { type: 'boolean' },
        reporter: {
          enum: ['source', 'destination'],
          description:
            "Istio reporter of the built-in queries: source (the ingress gateway, what users saw) or destination (the app's sidecar).",
        },
        windowSeconds: {
          type: 'integer',
          minimum: 1,
          description:
            'Range of rate() in the built-in queries ({{interval}}); at least twice the scrape interval.',
        },
        warmupSeconds: {
          type: 'integer',
          minimum: 0,
          description:
            'How long a metric may have no data at the start (a new series needs two scrapes before rate() answers); those rounds do not count.',
        },
      },
    },
    gateway: {
      type: 'object',
      additionalProperties: false,
      properties: {
        address: {
          ...url,
          description: "URL of the ingress gateway's /stats/prometheus; default the gateway URL's.",
        },
      },
    },
    metrics: { type: 'array', minItems: 1, items: metric },
    failureLimit: {
      type: 'integer',
      minimum: 0,
      description: 'Failed measurements a metric may have; one more fails it.',
    },
    consecutiveErrorLimit: {
      type: 'integer',
      minimum: 0,
      description: 'Provider errors in a row a metric may have; one more makes it an error.',
    },
    onInconclusive: {
      enum: ['rollback', 'keep'],
      description:
        'After promotion, what no data or provider errors lead to: roll back, or keep the release live (exit 1 either way).',
    },
    prePromotion: {
      ...window,
      properties: {
        ...window.properties,
        load: {
          type: 'object',
          additionalProperties: false,
          description: 'Tester load cutover sends through the test route meanwhile.',
          properties: {
            ratePerSecond: { type: 'number', minimum: 0 },
            paths: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^/' } },
          },
        },
      },
    },
    postPromotion: window,
  },
} as const;
