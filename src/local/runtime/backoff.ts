// The kubelet's restart back-off (flowcontrol.Backoff): the first restart is immediate, then
// each restart waits base, 2×base, 4×base … up to max, counted from the previous restart. A
// container that ran for longer than 2×max without a restart starts over from nothing.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export class RestartBackoff {
  private delayMs = 0;
  private lastRestart = 0;
  constructor(private readonly options: BackoffOptions) {}

  /** How long to wait before the restart that is due now. */
  nextDelay(now = Date.now()): number {
    if (this.lastRestart && now - this.lastRestart > 2 * this.options.maxMs) this.delayMs = 0;
    if (this.delayMs === 0) return 0;
    return Math.max(0, this.lastRestart + this.delayMs - now);
  }

  /** The back-off step the kubelet would report in "back-off 20s restarting failed container". */
  currentStepMs(): number {
    return this.delayMs;
  }

  /** Call when the restart happens. */
  restarted(now = Date.now()): void {
    this.delayMs = this.delayMs === 0 ? this.options.baseMs : Math.min(this.delayMs * 2, this.options.maxMs);
    this.lastRestart = now;
  }
}

/** Go's time.Duration formatting, as in the kubelet's messages: 300ms, 1.2s, 10s, 5m0s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = (n: number) => `${Number((n / 1000).toFixed(3))}s`;
  if (ms < 60_000) return seconds(ms);
  return `${Math.floor(ms / 60_000)}m${seconds(ms % 60_000)}`;
}
