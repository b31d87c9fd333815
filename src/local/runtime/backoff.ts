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

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s >= 60 && s % 60 === 0 ? `${s / 60}m0s` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}
