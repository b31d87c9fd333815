// The seed's endpoints with the seed's status codes and bodies (seed-demo.md §2.2), plus the
// application version in every response so that a caller can tell which release answered.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import type { Faults } from './config.js';
import { readForm } from './form-body.js';
import { allPeople, createPerson, deletePerson, findPerson } from './people.js';

export const NOT_FOUND_TEXT = '404 - Not Found. Try the /all route';

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export function createRouter(
  pool: Pool,
  version: string,
  faults: Faults = { failPercent: 0, extraLatencyMs: 0 },
  color?: string,
) {
  const inject = faultInjector(faults);
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/person\/([^/]+)\/?$/,
      handler: async (_q, res, [id]) => sendJson(res, 200, await findPerson(pool, id!)),
    },
    {
      method: 'PUT',
      pattern: /^\/person\/?$/,
      handler: async (req, res) =>
        sendJson(res, 200, createdShape(await createPerson(pool, await readForm(req)))),
    },
    {
      method: 'DELETE',
      pattern: /^\/person\/([^/]+)\/?$/,
      handler: async (_q, res, [id]) => (await deletePerson(pool, id!), send(res, 200, '')),
    },
    {
      method: 'GET',
      pattern: /^\/all\/?$/,
      handler: async (_q, res) => sendJson(res, 200, await allPeople(pool)),
    },
    { method: 'GET', pattern: /^\/ready\/?$/, handler: (_q, res) => ready(pool, version, res) },
  ];
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('x-app-version', version);
    // Who served, for a data plane that cannot say it (a plain Service): the color cutover gave
    // this pod. Behind a route that stamps it, the route's value replaces this one.
    if (color) res.setHeader('x-cutover-color', color);
    // HEAD is answered like GET (Node leaves the body out), as Express does.
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const path = new URL(req.url ?? '/', 'http://app').pathname;
    if (!/^\/ready\/?$/.test(path) && (await inject())) {
      sendJson(res, 500, { error: 'injected failure (FAIL_PERCENT)', version });
      return;
    }
    for (const route of routes) {
      const m = route.method === method ? route.pattern.exec(path) : null;
      if (!m) continue;
      try {
        await route.handler(req, res, m.slice(1).map(decodeURIComponent));
      } catch (err) {
        sendJson(res, statusOf(err), errorJson(err));
      }
      return;
    }
    send(res, 404, NOT_FOUND_TEXT, 'text/html; charset=utf-8');
  };
}

/**
 * Whether this request fails. Evenly spread rather than random: with FAIL_PERCENT=20 exactly
 * one request in five fails, so a demo or a test sees the same share in any window.
 */
function faultInjector(f: Faults): () => Promise<boolean> {
  let n = 0;
  return async () => {
    if (f.extraLatencyMs > 0) await sleep(f.extraLatencyMs);
    const i = n++;
    return Math.floor(((i + 1) * f.failPercent) / 100) > Math.floor((i * f.failPercent) / 100);
  };
}

/** 200 only when the database answers a query; the seed checks connectivity, not the schema. */
async function ready(pool: Pool, version: string, res: ServerResponse): Promise<void> {
  try {
    await pool.query('SELECT 1');
    sendJson(res, 200, { ready: true, version });
  } catch (err) {
    sendJson(res, 500, { ready: false, error: errorJson(err), version });
  }
}

/** Sequelize's create() returns the timestamps in this order; keep the seed's JSON shape. */
function createdShape(p: Awaited<ReturnType<typeof createPerson>>) {
  return {
    id: p.id,
    firstName: p.firstName,
    lastName: p.lastName,
    updatedAt: p.updatedAt,
    createdAt: p.createdAt,
  };
}

function statusOf(err: unknown): number {
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/** The error as JSON: what it is and why, never the connection settings or the query values. */
export function errorJson(err: unknown): object {
  if (err && typeof (err as { toJSON?: unknown }).toJSON === 'function')
    return (err as { toJSON(): object }).toJSON();
  const e = err as { name?: string; message?: string; code?: string };
  return {
    name: e?.name ?? 'Error',
    message: e?.message ?? String(err),
    ...(e?.code ? { code: e.code } : {}),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

function send(res: ServerResponse, status: number, body: string, type?: string): void {
  if (type) res.setHeader('content-type', type);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.statusCode = status;
  res.end(body);
}
