// Query throughput and latency of the embedded PostgreSQL through the wire protocol, with one
// client and with several at once (their queries are serialised onto PGlite's one session).
//   node --import tsx bench/database-queries.ts [seconds-per-run]
import pg from 'pg';
import { startDatabase } from '../src/local/database/index.js';

const SECONDS = Number(process.argv[2] ?? 3);

async function run(url: string, clients: number, sql: string, params: () => unknown[]): Promise<string> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  await Promise.all(Array.from({ length: clients }, () => pool.query('SELECT 1'))); // warm the pool
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await pool.query(sql, params());
        latencies.push(performance.now() - t);
      }
    }),
  );
  await pool.end();
  latencies.sort((a, b) => a - b);
  const p = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
  return `${String(clients).padStart(2)} clients: ${(latencies.length / SECONDS).toFixed(0).padStart(5)} queries/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`;
}

const db = await startDatabase({ host: '127.0.0.1', port: 0 });
try {
  const setup = new pg.Client({ connectionString: db.url });
  await setup.connect();
  await setup.query(
    'CREATE TABLE "People" (id SERIAL PRIMARY KEY, "firstName" TEXT NOT NULL, "lastName" TEXT)',
  );
  await setup.query(
    `INSERT INTO "People" ("firstName", "lastName") SELECT 'p' || g, 'q' || g FROM generate_series(1, 1000) g`,
  );
  await setup.end();
  await run(db.url, 5, 'SELECT * FROM "People" WHERE id = $1', () => [1]); // warm-up, not reported
  for (const clients of [1, 5, 20]) {
    console.log(
      'SELECT by primary key (demo app GET /person/:id):',
      await run(db.url, clients, 'SELECT * FROM "People" WHERE id = $1', () => [
        1 + Math.floor(Math.random() * 1000),
      ]),
    );
  }
  for (const clients of [1, 5, 20]) {
    console.log(
      'INSERT … RETURNING (demo app PUT /person):      ',
      await run(
        db.url,
        clients,
        'INSERT INTO "People" ("firstName", "lastName") VALUES ($1, $2) RETURNING *',
        () => ['a', 'b'],
      ),
    );
  }
} finally {
  await db.close();
}
