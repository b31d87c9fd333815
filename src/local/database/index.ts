// The local cluster's embedded PostgreSQL: PGlite (PostgreSQL compiled to WebAssembly) served
// over the PostgreSQL wire protocol, so applications connect with any ordinary client (`pg`,
// psql) exactly as they would to the external database the seed's pipeline assumes.
//
// What a client must know:
// - Authentication is trust: any user name and any password are accepted and the session runs as
//   `postgres`. Any database name is accepted and the session uses the one database there is
//   (`postgres`). There is no TLS: a client asking for SSL is told "not supported" (DB_SSL=false).
// - PGlite is a single-session database. Many clients may connect at once (up to
//   `maxConnections`); their messages are queued and run one at a time, and a client inside a
//   transaction (explicit, or the implicit one of an extended-protocol query before Sync) keeps
//   the session until it ends, so concurrent clients never see each other's half-done work; the
//   others wait meanwhile (even to connect), so keep transactions short.
//   Session-level settings (SET, named prepared statements, temp tables) are shared by all
//   clients. Cancel requests are ignored.
// - Data lives in memory unless `dataDir` is given; then it persists there across restarts.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { defaultTemplateDir, loadTemplate } from './template.js';

export interface DatabaseOptions {
  /** Address to listen on; loopback in the local cluster. */
  host: string;
  /** TCP port; 0 picks a free one (read it back from the result). */
  port: number;
  /** Folder that holds the data across restarts; omitted: in memory, gone on close. */
  dataDir?: string;
  /** Where the initialised-cluster tarball is cached (default: see template.ts). */
  templateDir?: string;
  /** Most clients connected at once; more are refused (default 100). */
  maxConnections?: number;
}

export interface Database {
  host: string;
  port: number;
  /** `postgres://postgres@HOST:PORT/postgres`, for clients that take a URL. */
  url: string;
  /** Disconnects every client, stops listening and closes the database (flushing dataDir). */
  close(): Promise<void>;
}

export const DEFAULT_MAX_CONNECTIONS = 100;

export async function startDatabase(options: DatabaseOptions): Promise<Database> {
  const db = await openPGlite(options);
  const server = new PGLiteSocketServer({
    db,
    host: options.host,
    port: options.port,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const port = Number(server.getServerConn().split(':').pop());
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= stop(server, db));
  return {
    host: options.host,
    port,
    url: `postgres://postgres@${hostForUrl(options.host)}:${port}/postgres`,
    close,
  };
}

async function openPGlite(options: DatabaseOptions): Promise<PGlite> {
  const dataDir = options.dataDir;
  // An existing cluster is opened as is; only an empty place gets the initialised template.
  if (dataDir && existsSync(join(dataDir, 'PG_VERSION'))) return PGlite.create({ dataDir });
  const loadDataDir = await loadTemplate(options.templateDir ?? defaultTemplateDir());
  if (!dataDir) return PGlite.create({ loadDataDir });
  await mkdir(dataDir, { recursive: true });
  return PGlite.create({ dataDir, loadDataDir });
}

async function stop(server: PGLiteSocketServer, db: PGlite): Promise<void> {
  await server.stop();
  // stop() detaches clients without awaiting the rollback of an open transaction; let those
  // finish before the database goes away.
  await nextTurn();
  await db.close();
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
