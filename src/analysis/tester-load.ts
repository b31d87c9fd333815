// Tester load for the pre-promotion analysis: before the switch the color under test gets no
// plain traffic, so cutover sends its own requests through the test route (with the test cookie
// or header) at a steady rate over the configured paths. That is why pre-promotion analysis
// never finds "no data" by design (Flagger's #1365, #1400).
import type { AnalysisDeps } from './types.js';

export interface TesterLoadOptions {
  baseUrl: string;
  paths: string[];
  ratePerSecond: number;
  /** Tester headers: the test cookie or header, and the Host the routes serve. */
  headers: Record<string, string>;
}

export interface TesterLoad {
  /** Stops sending and waits for the requests in flight; returns how many were sent. */
  stop(): Promise<{ sent: number; failed: number }>;
}

/** Most requests in flight at once, so a hanging color cannot pile up sockets. */
const MAX_IN_FLIGHT = 32;

export function startTesterLoad(o: TesterLoadOptions, deps: AnalysisDeps): TesterLoad {
  const stopper = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, stopper.signal]) : stopper.signal;
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let failed = 0;
  const base = o.baseUrl.replace(/\/+$/, '');
  const gapMs = o.ratePerSecond > 0 ? 1000 / o.ratePerSecond : Infinity;
  const loop = (async () => {
    const started = deps.clock();
    let ticks = 0;
    while (!signal.aborted && gapMs !== Infinity) {
      if (inFlight.size < MAX_IN_FLIGHT) {
        const path = o.paths[sent % o.paths.length]!;
        sent++;
        const p = deps
          .http(base + path, { headers: o.headers, timeoutMs: 10_000, signal })
          .then((a) => {
            if (a.status === 0 || a.status >= 500) failed++;
          })
          .catch(() => void failed++)
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      // Paced from the start, not from the last request: the rate holds under a slow color.
      const next = started + ++ticks * gapMs;
      await deps.sleep(Math.max(1, next - deps.clock()), signal).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopper.abort();
      await loop;
      await Promise.allSettled([...inFlight]);
      return { sent, failed };
    },
  };
}
