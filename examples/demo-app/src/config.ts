// Settings from the environment, read once. The variable names are the seed application's
// (DB_SCHEMA is the database name, as there), plus APP_VERSION and the pod address.
import { readFileSync } from 'node:fs';
import type { PoolConfig } from 'pg';

export interface AppConfig {
  /** The version stamped on every response; tells v1 pods from v2 pods. */
  version: string;
  /** Address to listen on: the pod's own address in the local cluster. */
  host: string;
  port: number;
  database: PoolConfig;
  faults: Faults;
  /** CUTOVER_COLOR, which cutover sets in each pod: answered in x-cutover-color. */
  color?: string;
}

/**
 * Faults a demo release can carry, to show analysis catching a bad release: FAIL_PERCENT (0–100)
 * of the requests to any path but the readiness path answer 500, every such request waits
 * EXTRA_LATENCY_MS first. The readiness path is spared, so the pods stay ready and the smoke
 * tests of /ready pass: only the metrics can tell.
 */
export interface Faults {
  failPercent: number;
  extraLatencyMs: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    version: env.APP_VERSION || packageVersion(),
    host: env.POD_IP || env.HOST || '0.0.0.0',
    port: Number(env.PORT || 3000),
    database: databaseConfig(env),
    faults: {
      failPercent: bounded(env.FAIL_PERCENT, 'FAIL_PERCENT', 100),
      extraLatencyMs: bounded(env.EXTRA_LATENCY_MS, 'EXTRA_LATENCY_MS', 600_000),
    },
    color: env.CUTOVER_COLOR || undefined,
  };
}

function bounded(text: string | undefined, name: string, max: number): number {
  if (text === undefined || text === '') return 0;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > max)
    throw new Error(`${name} must be a number from 0 to ${max}, got "${text}"`);
  return n;
}

export function databaseConfig(env: NodeJS.ProcessEnv = process.env): PoolConfig {
  return {
    database: env.DB_SCHEMA || 'postgres',
    user: env.DB_USER || 'postgres',
    password: env.DB_PASSWORD || '',
    host: env.DB_HOST || 'localhost',
    port: Number(env.DB_PORT || 5432),
    ssl: env.DB_SSL === 'true',
    // The seed's pool: at most 5 connections, idle ones closed after 30 s.
    max: 5,
    idleTimeoutMillis: 30_000,
    // A readiness probe waits 1 s by default: an unreachable database must fail fast, not hang.
    connectionTimeoutMillis: 2_000,
  };
}

function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
