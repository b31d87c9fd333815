// The embedded PostgreSQL, driven by the ordinary `pg` client over TCP.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { startDatabase, type Database } from '../src/local/database/index.js';

function client(db: Database, user = 'postgres', password = ''): pg.Client {
  return new pg.Client({ host: db.host, port: db.port, user, password, database: 'myapp' });
}

async function withClient<T>(db: Database, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = client(db);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('embedded PostgreSQL (in memory)', async () => {
  const db = await startDatabase({ host: '127.0.0.1', port: 0 });
  after(() => db.close());

  it('accepts any user, password and database name, and runs SQL', async () => {
    const c = client(db, 'someone', 'whatever');
    await c.connect();
    await c.query('CREATE TABLE "People" (id SERIAL PRIMARY KEY, "firstName" VARCHAR(255) NOT NULL)');
    const ins = await c.query('INSERT INTO "People" ("firstName") VALUES ($1) RETURNING *', ['al']);
    assert.deepEqual(ins.rows, [{ id: 1, firstName: 'al' }]);
    await c.end();
    assert.match(db.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  });

  it('keeps data across a client disconnecting and a new one connecting', async () => {
    await withClient(db, (c) => c.query('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)'));
    await withClient(db, (c) => c.query("INSERT INTO kv VALUES ('a', 'b')"));
    const rows = await withClient(db, async (c) => (await c.query('SELECT v FROM kv')).rows);
    assert.deepEqual(rows, [{ v: 'b' }]);
  });

  it('serves many concurrent clients with parameterised queries and isolated transactions', async () => {
    await withClient(db, (c) =>
      c.query('CREATE TABLE t (id SERIAL PRIMARY KEY, owner INT NOT NULL, n INT NOT NULL)'),
    );
    const pool = new pg.Pool({ host: db.host, port: db.port, user: 'u', database: 'd', max: 8 });
    try {
      const failures = await Promise.all(Array.from({ length: 8 }, (_, owner) => worker(pool, owner)));
      assert.deepEqual(failures.flat(), []);
      const counts = await pool.query(
        'SELECT owner, count(*)::int AS n FROM t GROUP BY owner ORDER BY owner',
      );
      // each worker commits 8 of its 10 transactions and rolls 2 back after a failed statement
      assert.deepEqual(
        counts.rows,
        Array.from({ length: 8 }, (_, owner) => ({ owner, n: 8 })),
      );
    } finally {
      await pool.end();
    }
  });

  it('rolls back the open transaction of a client that disconnects, and others go on', async () => {
    await withClient(db, (c) => c.query('CREATE TABLE r (x INT)'));
    const quitter = client(db);
    await quitter.connect();
    await quitter.query('BEGIN');
    await quitter.query('INSERT INTO r VALUES (1)');
    const waiting = withClient(db, (c) => c.query('INSERT INTO r VALUES (2)'));
    quitter.end(); // no COMMIT: the server must roll back and release the session
    await waiting;
    const rows = await withClient(db, async (c) => (await c.query('SELECT x FROM r ORDER BY x')).rows);
    assert.deepEqual(rows, [{ x: 2 }]);
  });
});

/** Ten transactions, some mixing statements with different parameter counts; returns mismatches. */
async function worker(pool: pg.Pool, owner: number): Promise<string[]> {
  const failures: string[] = [];
  for (let k = 0; k < 10; k++) {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO t (owner, n) VALUES ($1, $2)', [owner, k]);
      const echo = await c.query('SELECT $1::int AS a, $2::int AS b, $3::text AS c', [owner, k, `w${owner}`]);
      if (echo.rows[0].a !== owner || echo.rows[0].b !== k || echo.rows[0].c !== `w${owner}`)
        failures.push(`owner ${owner} step ${k}: got ${JSON.stringify(echo.rows[0])}`);
      if (k % 5 === 0) {
        await assert.rejects(c.query('SELECT 1/0'), /division by zero/);
        await c.query('ROLLBACK');
      } else {
        await c.query('COMMIT');
      }
    } finally {
      c.release();
    }
  }
  return failures;
}

describe('embedded PostgreSQL (dataDir)', () => {
  it('persists to dataDir across a restart and frees its port on close', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'cutover-db-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const first = await startDatabase({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'pg') });
    await withClient(first, (c) => c.query("CREATE TABLE p (v TEXT); INSERT INTO p VALUES ('kept')"));
    const connected = client(first);
    await connected.connect();
    const ended = new Promise((resolve) => connected.once('end', resolve));
    connected.on('error', () => {}); // the server going away is the point of this step
    await first.close();
    await ended; // close() disconnected the client that was still connected
    const second = await startDatabase({ host: '127.0.0.1', port: first.port, dataDir: join(dir, 'pg') });
    t.after(() => second.close());
    const rows = await withClient(second, async (c) => (await c.query('SELECT v FROM p')).rows);
    assert.deepEqual(rows, [{ v: 'kept' }]);
  });
});
