// Continuous traffic through the gateway, as users and testers would send it: plain requests
// (the users) and requests with the test cookie (the testers), each loop on its own keep-alive
// connection. Every response is recorded with the version and color that served it, so that a
// report can say, per phase, whether any user failed or reached the color under test.
import http from 'node:http';

export interface TrafficSample {
  /** ms since the traffic started */
  at: number;
  kind: 'plain' | 'test';
  status: number;
  latencyMs: number;
  /** x-app-version of the response ('' when absent, e.g. on errors) */
  version: string;
  /** x-cutover-color of the response ('' when absent) */
  color: string;
  error?: string;
  /** Sent on a new connection (a user arriving), not on the loop's keep-alive connection. */
  fresh?: boolean;
}

export interface TrafficOptions {
  url: string;
  /** Where testers go when not to `url` (a preview Service's address); they still send the cookie. */
  testUrl?: string;
  path?: string;
  plainLoops?: number;
  testLoops?: number;
  testCookie?: string;
  /**
   * Plain loops that open a new connection per request (users arriving), besides the keep-alive
   * ones: behind a plain Service a keep-alive connection stays on its pod after a selector switch.
   */
  freshPlainLoops?: number;
  /** Testers open a new connection per request (a preview Service moves new connections only). */
  freshTesters?: boolean;
  /** pause between requests of one loop, to keep the load realistic rather than maximal */
  pauseMs?: number;
}

export interface Traffic {
  samples: TrafficSample[];
  startedAt: number;
  stop(): Promise<void>;
}

function once(
  agent: http.Agent | false,
  url: URL,
  cookie: string | undefined,
): Promise<Omit<TrafficSample, 'at' | 'kind' | 'latencyMs'>> {
  return new Promise((done) => {
    const req = http.request(url, { agent, headers: cookie ? { cookie } : {}, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () =>
        done({
          status: res.statusCode ?? 0,
          version: String(res.headers['x-app-version'] ?? ''),
          color: String(res.headers['x-cutover-color'] ?? ''),
        }),
      );
      res.on('error', (err) => done({ status: 0, version: '', color: '', error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout after 10 s')));
    req.on('error', (err) => done({ status: 0, version: '', color: '', error: err.message }));
    req.end();
  });
}

export function startTraffic(options: TrafficOptions): Traffic {
  const url = new URL(options.path ?? '/ready', options.url);
  const testUrl = new URL(options.path ?? '/ready', options.testUrl ?? options.url);
  const samples: TrafficSample[] = [];
  const startedAt = performance.now();
  let stopping = false;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const loop = async (kind: 'plain' | 'test', fresh = false) => {
    const cookie = kind === 'test' ? (options.testCookie ?? 'test=true') : undefined;
    while (!stopping) {
      const t0 = performance.now();
      const r = await once(fresh ? false : agent, kind === 'test' ? testUrl : url, cookie);
      const t1 = performance.now();
      samples.push({ at: t0 - startedAt, kind, latencyMs: t1 - t0, ...r, ...(fresh ? { fresh } : {}) });
      if (options.pauseMs) await new Promise((d) => setTimeout(d, options.pauseMs));
    }
  };
  const loops = [
    ...Array.from({ length: options.plainLoops ?? 4 }, () => loop('plain')),
    ...Array.from({ length: options.freshPlainLoops ?? 0 }, () => loop('plain', true)),
    ...Array.from({ length: options.testLoops ?? 1 }, () => loop('test', options.freshTesters)),
  ];
  return {
    samples,
    startedAt,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

export function isFailure(s: TrafficSample): boolean {
  return s.status === 0 || s.status >= 500 || s.status === 404;
}
