// The periodic side of a probe: waits initialDelaySeconds after the container started, then runs
// the probe every periodSeconds and reports each result with its consecutive counts.
//
// One deliberate difference from the kubelet: until a readiness probe first succeeds it is
// retried sooner — after 100 ms, then twice as long each time up to 1 s (or periodSeconds if
// shorter) — so a pod is ready as soon as its app answers instead of up to periodSeconds
// (default 10 s) later. Thresholds are unchanged.
import { runProbe, type Probe, type ProbeResult, type ProbeTarget } from './probes.js';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export interface ProbeReport extends ProbeResult {
  successes: number;
  failures: number;
}

export class Prober {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private successes = 0;
  private failures = 0;
  private everSucceeded = false;
  private eagerMs = 50;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly target: () => ProbeTarget,
    private readonly onResult: (report: ProbeReport) => void,
  ) {}

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const result = await runProbe(this.probe, this.target());
    if (this.stopped) return;
    if (result.ok) {
      this.successes++;
      this.failures = 0;
      this.everSucceeded = true;
    } else {
      this.failures++;
      this.successes = 0;
    }
    this.onResult({ ...result, successes: this.successes, failures: this.failures });
    const periodMs = (this.probe.periodSeconds ?? 10) * 1000;
    if (this.kind === 'readiness' && !this.everSucceeded) {
      this.eagerMs = Math.min(this.eagerMs * 2, 1000, periodMs);
      this.schedule(this.eagerMs);
    } else this.schedule(periodMs);
  }
}
