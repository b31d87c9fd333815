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
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    version: env.APP_VERSION || packageVersion(),
    host: env.POD_IP || env.HOST || '0.0.0.0',
    port: Number(env.PORT || 3000),
    database: databaseConfig(env),
  };
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
