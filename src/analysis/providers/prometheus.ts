// Prometheus over its HTTP API (GET /api/v1/query): the first sample of the answer is the value.
// An empty answer or NaN (0/0 of a ratio without traffic) is no data; an unreachable server, a
// non-2xx answer or a query error is a measurement error. The bearer token is sent, never shown.
import { readFileSync } from 'node:fs';
import type { PrometheusSettings } from '../../config/analysis-types.js';
import { MeasurementError, type AnalysisDeps, type Reading } from '../types.js';

interface QueryAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export class PrometheusClient {
  private readonly ca?: string;

  constructor(
    private readonly settings: PrometheusSettings,
    private readonly token: string | undefined,
    private readonly deps: AnalysisDeps,
  ) {
    this.ca = settings.caFile ? readFileSync(settings.caFile, 'utf8') : undefined;
  }

  async query(promql: string): Promise<Reading> {
    const url = `${this.settings.address}/api/v1/query?query=${encodeURIComponent(promql)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const answer = await this.deps.http(url, {
      headers,
      timeoutMs: 10_000,
      signal: this.deps.signal,
      ca: this.ca,
      insecureSkipVerify: this.settings.insecureSkipVerify,
    });
    const where = `Prometheus ${this.settings.address}`;
    if (answer.status === 0) throw new MeasurementError(`${where} unreachable: ${answer.body}`);
    let body: QueryAnswer;
    try {
      body = JSON.parse(answer.body) as QueryAnswer;
    } catch {
      throw new MeasurementError(`${where}: HTTP ${answer.status}, not a JSON answer`);
    }
    if (answer.status < 200 || answer.status > 299 || body.status !== 'success')
      throw new MeasurementError(`${where}: HTTP ${answer.status}${body.error ? `: ${body.error}` : ''}`);
    const value = firstValue(body.data);
    if (value === undefined || Number.isNaN(value)) return { kind: 'no-data', detail: `${where}: no data` };
    return { kind: 'value', value };
  }
}

function firstValue(data: QueryAnswer['data']): number | undefined {
  const r = data?.result;
  if (data?.resultType === 'scalar' && Array.isArray(r)) return Number(r[1]);
  if (data?.resultType === 'vector' && Array.isArray(r) && r.length > 0) {
    const v = (r[0] as { value?: [number, string] }).value;
    return v ? Number(v[1]) : undefined;
  }
  return undefined;
}

/** The token: from the environment variable named, or from the Secret (read by the caller). */
export function bearerToken(
  settings: PrometheusSettings,
  env: Record<string, string | undefined>,
  fromSecret: string | undefined,
): string | undefined {
  if (settings.bearerTokenEnv) {
    const t = env[settings.bearerTokenEnv];
    if (!t)
      throw new MeasurementError(
        `environment variable ${settings.bearerTokenEnv} (prometheus.bearerTokenEnv) is empty or unset`,
      );
    return t.trim();
  }
  return fromSecret?.trim();
}
