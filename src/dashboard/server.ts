// The dashboard's HTTP server: the page, a JSON API over the app hub, and server-sent events.
// Bad requests get a JSON error and never take the server down.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Access } from './access.js';
import { isAction, type ActionRequest } from './actions.js';
import type { AppHub, AppSnapshot } from './app-hub.js';
import { pageHtml } from './page/html.js';
import { STYLE } from './page/style.js';
import type { TrafficPoint } from './traffic.js';
import type { DiscoveredApp } from './wire.js';
import type { Redactor } from '../engine/redact.js';

export interface TrafficSource {
  /** Points per `namespace/workload`, oldest first. */
  history(workload: string): TrafficPoint[];
  readonly error: string | null;
  /** Called when the first viewer connects and when the last one leaves. */
  start(): void;
  stop(): void;
}

export interface ServerOptions {
  hub: AppHub;
  access: Access;
  traffic: TrafficSource | null;
  /** The compiled page script. */
  clientScript: string;
  /** Shown in the page header: the kube context and server. */
  cluster: string;
  /** Every JSON answer and event passes through it: no secret value reaches the page. */
  redactor: Redactor;
}

const BODY_LIMIT = 16 * 1024;

export class DashboardServer {
  private readonly viewers = new Set<ServerResponse>();
  private readonly server: Server;
  private keepAlive: NodeJS.Timeout | undefined;
  private access: Access;

  constructor(private readonly options: ServerOptions) {
    this.access = options.access;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.json(res, 500, { error: (err as Error).message });
        else res.end();
      });
    });
  }

  async listen(address: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, address, () => resolve());
    });
    this.keepAlive = setInterval(() => this.broadcast(': keep-alive\n\n'), 15_000);
    this.keepAlive.unref();
    return (this.server.address() as AddressInfo).port;
  }

  /** The allowed Host names are known once the port is: until then every request is refused. */
  setAccess(access: Access): void {
    this.access = access;
  }

  async close(): Promise<void> {
    clearInterval(this.keepAlive);
    for (const v of this.viewers) v.end();
    this.viewers.clear();
    this.options.traffic?.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Tells every open page that an app changed. */
  publishApp(snapshot: AppSnapshot): void {
    this.broadcast(this.event('app', this.withTraffic(snapshot)));
  }

  /** Tells every open page which other managed apps the namespaces hold. */
  publishOthers(others: DiscoveredApp[]): void {
    this.broadcast(this.event('others', { others }));
  }

  /** Tells every open page the latest traffic point per app and color. */
  publishTraffic(points: Map<string, TrafficPoint>): void {
    const byApp: Record<string, Record<string, TrafficPoint | null>> = {};
    for (const app of this.options.hub.list()) {
      byApp[app.id] = Object.fromEntries(
        Object.entries(app.workloads).map(([c, w]) => [
          c,
          w ? (points.get(`${app.namespace}/${w}`) ?? null) : null,
        ]),
      );
    }
    this.broadcast(this.event('traffic', { apps: byApp, error: this.options.traffic?.error ?? null }));
  }

  private event(name: string, data: unknown): string {
    return event(name, this.options.redactor.redactDeep(data));
  }

  private json(res: ServerResponse, status: number, value: unknown): void {
    json(res, status, this.options.redactor.redactDeep(value));
  }

  private broadcast(text: string): void {
    for (const v of this.viewers) v.write(text);
  }

  private withTraffic(app: AppSnapshot) {
    const traffic = this.options.traffic;
    return {
      ...app,
      traffic: Object.fromEntries(
        Object.entries(app.workloads).map(([c, w]) => [
          c,
          w && traffic ? traffic.history(`${app.namespace}/${w}`) : [],
        ]),
      ),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    const access = this.access;
    const allowed = access.check(req, url);
    if (!allowed.ok) return json(res, allowed.status ?? 401, { error: allowed.reason });
    if (url.searchParams.has('token') && req.method === 'GET') {
      // First visit: trade the token in the URL for a cookie, and take it out of the address bar.
      url.searchParams.delete('token');
      res.writeHead(303, { location: url.pathname + url.search, 'set-cookie': access.setCookie() });
      return void res.end();
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && (parts.length === 0 || parts[0] === 'app')) {
      return send(res, 200, 'text/html; charset=utf-8', pageHtml({ cluster: this.options.cluster }));
    }
    if (req.method === 'GET' && url.pathname === '/assets/client.js') {
      return send(res, 200, 'text/javascript; charset=utf-8', this.options.clientScript);
    }
    if (req.method === 'GET' && url.pathname === '/assets/style.css') {
      return send(res, 200, 'text/css; charset=utf-8', STYLE);
    }
    if (parts[0] !== 'api') return json(res, 404, { error: `no page ${url.pathname}` });
    return this.api(req, res, parts.slice(1));
  }

  private async api(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    const { hub } = this.options;
    if (req.method === 'GET' && parts.length === 1 && parts[0] === 'apps') {
      return this.json(res, 200, {
        apps: hub.list().map((a) => this.withTraffic(a)),
        trafficError: this.options.traffic?.error ?? null,
      });
    }
    if (req.method === 'GET' && parts.length === 1 && parts[0] === 'events') return this.openEvents(req, res);
    if (parts[0] !== 'apps' || parts.length < 3) return this.json(res, 404, { error: 'no such API' });
    const id = `${parts[1]}/${parts[2]}`;
    const app = hub.get(id);
    if (!app) return this.json(res, 404, { error: `no app ${id} on this dashboard` });
    if (req.method === 'GET' && parts.length === 3) return this.json(res, 200, this.withTraffic(app));
    if (req.method !== 'POST' || parts.length !== 4 || (parts[3] !== 'plan' && parts[3] !== 'actions')) {
      return this.json(res, 404, { error: 'no such API' });
    }
    const body = await readJson(req);
    if ('error' in body) return this.json(res, 400, body);
    const request = actionRequest(body.value);
    if (typeof request === 'string') return this.json(res, 400, { error: request });
    if (parts[3] === 'plan') return this.json(res, 200, await hub.plan(id, request));
    const started = hub.start(id, request);
    if (!started)
      return this.json(res, 409, { error: `an action is already running for ${id} in this dashboard` });
    return this.json(res, 202, started);
  }

  private openEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    res.write(
      event('apps', {
        apps: this.options.hub.list().map((a) => this.withTraffic(a)),
        others: this.options.hub.others(),
      }),
    );
    this.viewers.add(res);
    if (this.viewers.size === 1) this.options.traffic?.start();
    req.on('close', () => {
      this.viewers.delete(res);
      if (this.viewers.size === 0) this.options.traffic?.stop();
    });
  }
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function readJson(req: IncomingMessage): Promise<{ value: unknown } | { error: string }> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return { error: `request body over ${BODY_LIMIT} bytes` };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { value: text ? (JSON.parse(text) as unknown) : {} };
  } catch {
    return { error: 'the request body is not JSON' };
  }
}

function actionRequest(value: unknown): ActionRequest | string {
  if (!value || typeof value !== 'object') return 'expected a JSON object {"action": …}';
  const { action, release } = value as Record<string, unknown>;
  if (!isAction(action)) return 'action must be promote, rollback or decommission';
  if (release !== undefined && (typeof release !== 'string' || release.length > 253)) {
    return 'release must be a string of at most 253 characters';
  }
  return { action, release: release || undefined };
}
