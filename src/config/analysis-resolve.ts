// Resolves `analysis:` of cutover.yaml: defaults from defaults.ts, and the checks a JSON Schema
// cannot express (a built-in name, exactly one source per custom metric, a pass condition for
// every value metric, parseable expressions, known template placeholders). Throws InputError
// naming the file, the field and the fix.
import { resolve } from 'node:path';
import { parseCondition } from '../analysis/condition.js';
import { unknownPlaceholders, TEMPLATE_VARIABLES } from '../analysis/template.js';
import { InputError } from '../errors.js';
import {
  BUILTIN_METRICS,
  type AnalysisConfig,
  type AnalysisMetric,
  type BuiltinMetricName,
} from './analysis-types.js';
import { DEFAULTS } from './defaults.js';

export interface RawMetric {
  name: string;
  min?: number;
  max?: number;
  condition?: string;
  query?: string;
  webhook?: { url: string; timeoutSeconds?: number; metadata?: Record<string, string> };
  command?: string;
  timeoutSeconds?: number;
  failureLimit?: number;
}

export interface RawAnalysis {
  provider?: 'gateway' | 'prometheus';
  prometheus?: {
    address: string;
    bearerTokenEnv?: string;
    bearerTokenSecret?: { name: string; key: string };
    caFile?: string;
    insecureSkipVerify?: boolean;
    reporter?: 'source' | 'destination';
    windowSeconds?: number;
    warmupSeconds?: number;
  };
  gateway?: { address?: string };
  metrics: RawMetric[];
  failureLimit?: number;
  consecutiveErrorLimit?: number;
  onInconclusive?: 'rollback' | 'keep';
  prePromotion?: {
    durationSeconds?: number;
    intervalSeconds?: number;
    load?: { ratePerSecond?: number; paths?: string[] };
  };
  postPromotion?: { durationSeconds?: number; intervalSeconds?: number };
}

const D = DEFAULTS.analysis;

export function resolveAnalysis(
  raw: RawAnalysis | undefined,
  file: string,
  base: string,
): AnalysisConfig | undefined {
  if (raw === undefined) return undefined;
  const provider = raw.provider ?? D.provider;
  const bad = (field: string, message: string, remedy: string) =>
    new InputError(`${field}: ${message}`, { file, field, remedy });
  if (provider === 'prometheus' && !raw.prometheus) {
    throw bad(
      'analysis.prometheus',
      'provider is prometheus but no address is given',
      'add `prometheus: { address: http://HOST:9090 }` under analysis',
    );
  }
  const names = new Set<string>();
  const metrics = raw.metrics.map((m, i) => {
    const field = `analysis.metrics[${i}]`;
    if (names.has(m.name))
      throw bad(`${field}.name`, `"${m.name}" is named twice`, 'give each metric its own name');
    names.add(m.name);
    return resolveMetric(m, field, provider, raw.failureLimit ?? D.failureLimit, bad);
  });
  const pre = raw.prePromotion ?? {};
  const post = raw.postPromotion ?? {};
  const p = raw.prometheus;
  return {
    provider,
    prometheus: p && {
      address: p.address.replace(/\/+$/, ''),
      bearerTokenEnv: p.bearerTokenEnv,
      bearerTokenSecret: p.bearerTokenSecret && { ...p.bearerTokenSecret },
      caFile: p.caFile === undefined ? undefined : resolve(base, p.caFile),
      insecureSkipVerify: p.insecureSkipVerify ?? false,
      reporter: p.reporter ?? D.prometheus.reporter,
      windowSeconds: p.windowSeconds ?? D.prometheus.windowSeconds,
      warmupSeconds: p.warmupSeconds ?? D.prometheus.warmupSeconds,
    },
    gatewayStatsUrl: raw.gateway?.address,
    metrics,
    consecutiveErrorLimit: raw.consecutiveErrorLimit ?? D.consecutiveErrorLimit,
    onInconclusive: raw.onInconclusive ?? D.onInconclusive,
    prePromotion: {
      durationSeconds: pre.durationSeconds ?? D.prePromotion.durationSeconds,
      intervalSeconds: pre.intervalSeconds ?? D.prePromotion.intervalSeconds,
      load: {
        ratePerSecond: pre.load?.ratePerSecond ?? D.prePromotion.load.ratePerSecond,
        paths: [...(pre.load?.paths ?? D.prePromotion.load.paths)],
      },
    },
    postPromotion: {
      durationSeconds: post.durationSeconds ?? D.postPromotion.durationSeconds,
      intervalSeconds: post.intervalSeconds ?? D.postPromotion.intervalSeconds,
    },
  };
}

type Bad = (field: string, message: string, remedy: string) => InputError;

function resolveMetric(
  m: RawMetric,
  field: string,
  provider: string,
  failureLimitDefault: number,
  bad: Bad,
): AnalysisMetric {
  const failureLimit = m.failureLimit ?? failureLimitDefault;
  const sources = (['query', 'webhook', 'command'] as const).filter((k) => m[k] !== undefined);
  const builtin = (BUILTIN_METRICS as readonly string[]).includes(m.name);
  if (sources.length > 1)
    throw bad(
      field,
      `has ${sources.join(' and ')}: give a metric exactly one of query, webhook, command`,
      'keep one of them',
    );
  if (!builtin && sources.length === 0)
    throw bad(
      `${field}.name`,
      `"${m.name}" is not a built-in metric (${BUILTIN_METRICS.join(', ')})`,
      'use a built-in name, or add query, webhook or command',
    );
  if (m.condition !== undefined) {
    try {
      parseCondition(m.condition);
    } catch (err) {
      throw bad(
        `${field}.condition`,
        `"${m.condition}": ${(err as Error).message}`,
        "write a comparison of result, e.g. 'result >= 95'",
      );
    }
  }
  const pass = { min: m.min, max: m.max, condition: m.condition };
  const hasPass = m.min !== undefined || m.max !== undefined || m.condition !== undefined;
  if (m.webhook || m.command) {
    if (hasPass)
      throw bad(
        field,
        'min, max and condition apply to values; a webhook or command passes by its answer',
        'remove min, max and condition',
      );
    if (m.webhook) {
      return {
        kind: 'webhook',
        name: m.name,
        url: m.webhook.url,
        timeoutMs: (m.webhook.timeoutSeconds ?? m.timeoutSeconds ?? D.webhookTimeoutSeconds) * 1000,
        metadata: { ...m.webhook.metadata },
        failureLimit,
      };
    }
    return {
      kind: 'command',
      name: m.name,
      run: m.command!,
      timeoutMs: (m.timeoutSeconds ?? D.commandTimeoutSeconds) * 1000,
      failureLimit,
    };
  }
  if (!hasPass)
    throw bad(field, `"${m.name}" has no pass condition`, 'add min, max or condition (e.g. `min: 95`)');
  if (m.query !== undefined) {
    if (provider !== 'prometheus')
      throw bad(
        `${field}.query`,
        'a PromQL query needs provider: prometheus',
        'set analysis.provider to prometheus with prometheus.address',
      );
    const unknown = unknownPlaceholders(m.query);
    if (unknown.length)
      throw bad(
        `${field}.query`,
        `unknown placeholder(s) ${unknown.map((u) => `{{${u}}}`).join(', ')}`,
        `use only ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(' ')}`,
      );
    return { kind: 'query', name: m.name, query: m.query, failureLimit, ...pass };
  }
  return { kind: 'builtin', name: m.name as BuiltinMetricName, failureLimit, ...pass };
}
