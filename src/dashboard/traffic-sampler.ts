// Scrapes the gateway's metrics at a steady interval while someone watches, and keeps the last
// few minutes of points per workload for the charts.
import type { HttpGet } from '../engine/deps.js';
import { parseScrape, pointBetween, type Scrape, type TrafficPoint } from './traffic.js';

export interface TrafficSamplerOptions {
  url: string;
  http: HttpGet;
  clock: () => number;
  intervalMs: number;
  /** Points kept per workload. */
  keep: number;
  onSample: (points: Map<string, TrafficPoint>) => void;
}

export class TrafficSampler {
  private last: { at: number; scrape: Scrape } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly series = new Map<string, TrafficPoint[]>();
  /** The last scrape's failure, shown on the page instead of a chart. */
  error: string | null = null;

  constructor(private readonly options: TrafficSamplerOptions) {}

  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  history(workload: string): TrafficPoint[] {
    return this.series.get(workload) ?? [];
  }

  async sample(): Promise<void> {
    const { http, url, clock } = this.options;
    const answer = await http(url, { timeoutMs: Math.max(500, this.options.intervalMs - 100) });
    const at = clock();
    if (answer.status !== 200) {
      this.error = `metrics at ${url}: ${answer.status === 0 ? answer.body : `HTTP ${answer.status}`}`;
      return;
    }
    this.error = null;
    const scrape = parseScrape(answer.body);
    const previous = this.last;
    this.last = { at, scrape };
    if (!previous) return;
    const points = new Map<string, TrafficPoint>();
    for (const key of new Set([...scrape.keys(), ...previous.scrape.keys(), ...this.series.keys()])) {
      const point = pointBetween(previous.scrape.get(key), scrape.get(key), at - previous.at, at);
      const list = this.series.get(key) ?? [];
      list.push(point);
      if (list.length > this.options.keep) list.splice(0, list.length - this.options.keep);
      this.series.set(key, list);
      points.set(key, point);
    }
    this.options.onSample(points);
  }
}
