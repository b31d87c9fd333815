// The demo application as the local cluster runs it: a child process with the seed's env,
// talking to the embedded PostgreSQL over TCP.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startDatabase, type Database } from '../src/local/database/index.js';

const APP_DIR = fileURLToPath(new URL('../examples/demo-app/', import.meta.url));
const DEADLINE_MS = 20_000;

interface App {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

function dbEnv(db: Database, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    DB_SCHEMA: 'myapp',
    DB_USER: 'app',
    DB_PASSWORD: 's3cret',
  };
  delete env.APP_VERSION; // the default version comes from the app's package.json
  return { ...env, ...overrides };
}

/** Runs `node --import tsx src/<script>.ts` in the app's folder, as its npm scripts do. */
function run(
  script: string,
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', `src/${script}.ts`], {
    cwd: APP_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => text, exited };
}

async function startApp(env: NodeJS.ProcessEnv): Promise<App> {
  const proc = run('app', { ...env, HOST: '127.0.0.1', PORT: '0' });
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const m = /app is running on port (\d+)/.exec(proc.output());
    if (m) return { ...proc, port: Number(m[1]), url: `http://127.0.0.1:${m[1]}` };
    if (proc.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`app did not start:\n${proc.output()}`);
    await Promise.race([once(proc.child.stdout!, 'data'), proc.exited]);
  }
}

async function stopApp(app: App): Promise<void> {
  if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  await app.exited;
}

async function exitCodeOf(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const proc = run(script, env);
  return { code: await proc.exited, output: proc.output() };
}

function form(body: Record<string, string>): RequestInit {
  return {
    method: 'PUT',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  };
}

describe('demo app', async () => {
  let db: Database;
  let app: App;
  before(async () => {
    db = await startDatabase({ host: '127.0.0.1', port: 0 });
    const migrated = await exitCodeOf('migrate', dbEnv(db));
    assert.equal(migrated.code, 0, migrated.output);
    app = await startApp(dbEnv(db, { APP_VERSION: 'v1' }));
  });
  after(async () => {
    if (app) await stopApp(app);
    await db?.close();
  });

  it('answers /ready with its version once the database answers', async () => {
    const res = await fetch(`${app.url}/ready`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-app-version'), 'v1');
    assert.deepEqual(await res.json(), { ready: true, version: 'v1' });
  });

  it('creates, reads, lists and deletes people with the seed JSON shapes', async () => {
    const created = await fetch(`${app.url}/person`, form({ firstName: 'al', lastName: 'pacino' }));
    assert.equal(created.status, 200);
    const person = (await created.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(person), ['id', 'firstName', 'lastName', 'updatedAt', 'createdAt']);
    assert.equal(person.firstName, 'al');
    assert.equal(person.lastName, 'pacino');
    assert.ok(!Number.isNaN(Date.parse(person.createdAt as string)));

    const withId = (await (
      await fetch(`${app.url}/person`, form({ id: '42', firstName: 'robert' }))
    ).json()) as { id: number; lastName: string | null };
    assert.deepEqual([withId.id, withId.lastName], [42, null]);

    const got = await fetch(`${app.url}/person/${person.id}`);
    assert.equal(got.status, 200);
    const read = (await got.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(read), ['id', 'firstName', 'lastName', 'createdAt', 'updatedAt']);
    assert.deepEqual({ ...read, createdAt: 0, updatedAt: 0 }, { ...person, createdAt: 0, updatedAt: 0 });

    const all = (await (await fetch(`${app.url}/all`)).json()) as Array<{ id: number }>;
    assert.deepEqual(all.map((p) => p.id).sort(), [person.id, 42].sort());

    const deleted = await fetch(`${app.url}/person/${person.id}`, { method: 'DELETE' });
    assert.deepEqual([deleted.status, await deleted.text()], [200, '']);
    const gone = await fetch(`${app.url}/person/${person.id}`);
    assert.deepEqual([gone.status, await gone.text()], [200, 'null']);
  });

  it('refuses a person without firstName with 500 and the validation error', async () => {
    const res = await fetch(`${app.url}/person`, form({ lastName: 'nobody' }));
    assert.equal(res.status, 500);
    const body = (await res.json()) as { name: string; errors: Array<{ path: string }> };
    assert.equal(body.name, 'SequelizeValidationError');
    assert.equal(body.errors[0]!.path, 'firstName');
  });

  it('answers 500 with the database error for an id that is not a number', async () => {
    const res = await fetch(`${app.url}/person/abc`);
    assert.equal(res.status, 500);
    assert.match(((await res.json()) as { message: string }).message, /invalid input syntax/);
  });

  it('answers unknown routes with the seed 404 text and still names its version', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['POST', '/person'],
      ['GET', '/person'],
    ]) {
      const res = await fetch(`${app.url}${path}`, { method });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(await res.text(), '404 - Not Found. Try the /all route');
      assert.equal(res.headers.get('x-app-version'), 'v1');
    }
  });

  it('runs migrate again without harm, and ping exits 0', async () => {
    assert.equal((await exitCodeOf('migrate', dbEnv(db))).code, 0);
    const ping = await exitCodeOf('ping', dbEnv(db));
    assert.equal(ping.code, 0, ping.output);
    assert.match(ping.output, /Connection has been established successfully/);
  });

  it('on SIGTERM stops accepting, finishes the request in flight with Connection: close, and exits 0', async (t) => {
    const app = await startApp(dbEnv(db, { APP_VERSION: 'v2' }));
    t.after(() => stopApp(app));

    // Expect: 100-continue makes the server confirm it has the request before the body is sent.
    const body = new URLSearchParams({ firstName: 'late', lastName: 'arrival' }).toString();
    const req = request(`${app.url}/person`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
      },
    });
    const response = once(req, 'response');
    await once(req, 'continue');
    app.child.kill('SIGTERM');
    await waitUntilRefused(app.port);
    req.end(body);
    const [res] = (await response) as [import('node:http').IncomingMessage];
    let text = '';
    for await (const chunk of res) text += chunk;
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers.connection, 'close');
    assert.equal(res.headers['x-app-version'], 'v2');
    assert.equal(JSON.parse(text).firstName, 'late');
    assert.equal(await app.exited, 0);
    assert.match(app.output(), /SIGTERM received[\s\S]*stopped/);
    const check = new pg.Client({ host: db.host, port: db.port, user: 'postgres' });
    await check.connect();
    const saved = await check.query(`SELECT "lastName" FROM "People" WHERE "firstName" = 'late'`);
    await check.end();
    assert.deepEqual(saved.rows, [{ lastName: 'arrival' }]);
  });
});

describe('demo app with injected faults (FAIL_PERCENT, EXTRA_LATENCY_MS)', async () => {
  let db: Database;
  let app: App;
  before(async () => {
    db = await startDatabase({ host: '127.0.0.1', port: 0 });
    app = await startApp(dbEnv(db, { APP_VERSION: 'v3', FAIL_PERCENT: '20', EXTRA_LATENCY_MS: '300' }));
  });
  after(async () => {
    if (app) await stopApp(app);
    await db?.close();
  });

  it('fails exactly one request in five, each 300 ms late, but never the readiness path', async () => {
    const ready = performance.now();
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${app.url}/ready`)).status, 200);
    assert.ok(performance.now() - ready < 300 * 5, 'the readiness path is not slowed');
    const statuses: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${app.url}/nothing-here`);
      statuses.push(res.status);
      if (res.status === 500) assert.match(await res.text(), /injected failure/);
      else await res.text();
    }
    assert.ok(performance.now() - started >= 10 * 300, 'every other request waits EXTRA_LATENCY_MS');
    assert.equal(statuses.filter((s) => s === 500).length, 2, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 404).length, 8, statuses.join(','));
  });
});

describe('demo app without its database', async () => {
  let db: Database;
  before(async () => {
    // A port that was just free and is closed again: nothing listens there.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    db = { host: '127.0.0.1', port, url: '', close: async () => {} };
  });

  it('migrate exits non-zero and says why', async () => {
    const res = await exitCodeOf('migrate', dbEnv(db));
    assert.notEqual(res.code, 0);
    assert.match(res.output, /Migration failed: .*ECONNREFUSED/);
  });

  it('ping exits 1', async () => {
    assert.equal((await exitCodeOf('ping', dbEnv(db))).code, 1);
  });

  it('/ready answers 500 with ready false, and the version defaults to package.json', async (t) => {
    const app = await startApp(dbEnv(db));
    t.after(() => stopApp(app));
    const res = await fetch(`${app.url}/ready`);
    assert.equal(res.status, 500);
    const body = (await res.json()) as { ready: boolean; error: { message: string }; version: string };
    assert.equal(body.ready, false);
    assert.match(body.error.message, /ECONNREFUSED/);
    assert.equal(body.version, '1.0.0');
    assert.equal(res.headers.get('x-app-version'), '1.0.0');
  });
});

/** New connections are refused once the server stopped listening; waits for that, with a deadline. */
async function waitUntilRefused(port: number): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`port ${port} still accepts connections`);
}
