// `npm start`: serve the person API until SIGTERM (or SIGINT), then stop gracefully and exit 0.
import pg from 'pg';
import { readConfig } from './config.js';
import { errorText } from './error-text.js';
import { startServer } from './server.js';

/** Below Kubernetes' default 30 s grace period, so the pod never needs a SIGKILL. */
const DRAIN_TIMEOUT_MS = 20_000;

const config = readConfig();
const pool = new pg.Pool(config.database);
// An idle pooled connection that the database drops must not crash the app; the next query reconnects.
pool.on('error', (err) => console.error('database connection lost:', errorText(err)));

const running = await startServer(pool, config);
console.log(
  'app is running on port',
  running.address.port,
  `(${running.address.host}, version ${config.version})`,
);

let stopping: Promise<void> | undefined;
const stop = (signal: string) => {
  stopping ??= (async () => {
    console.log(`${signal} received: finishing requests in flight`);
    await running.stop(DRAIN_TIMEOUT_MS);
    await pool.end();
    console.log('stopped');
    process.exit(0);
  })();
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
