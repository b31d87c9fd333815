// The probes of one running container and what their results do (pkg/kubelet/prober): the
// startup probe gates the others and `started`; readiness sets `ready`; liveness and startup
// failures past failureThreshold kill the container, which then restarts per restartPolicy.
// Also runs the preStop hook, which uses the same handlers as probes.
import type { ContainerRunner } from './container-runner.js';
import type { PodHandle } from './container-types.js';
import { Prober, type ProbeKind, type ProbeReport } from './prober.js';
import { runProbe, type Probe, type ProbeTarget } from './probes.js';

type Record = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

const LABEL: { [k in ProbeKind]: string } = {
  readiness: 'Readiness',
  liveness: 'Liveness',
  startup: 'Startup',
};

export class ContainerProbes {
  private probers: Prober[] = [];
  private stopped = false;

  constructor(
    private readonly runner: ContainerRunner,
    private readonly handle: PodHandle,
    private readonly record: Record,
  ) {}

  target(): ProbeTarget {
    const ctx = this.runner.execContext();
    return {
      podIP: this.handle.podIP,
      ports: this.runner.spec.ports ?? [],
      cwd: ctx?.cwd ?? process.cwd(),
      env: ctx?.env ?? {},
    };
  }

  start(): void {
    const startup = this.runner.spec.startupProbe;
    if (startup) this.add('startup', startup);
    else this.startMain();
  }

  stop(): void {
    this.stopped = true;
    for (const p of this.probers) p.stop();
    this.probers = [];
  }

  private startMain(): void {
    this.runner.started = true;
    const { readinessProbe, livenessProbe } = this.runner.spec;
    if (readinessProbe) this.add('readiness', readinessProbe);
    else this.runner.ready = true;
    if (livenessProbe) this.add('liveness', livenessProbe);
    this.runner.changed();
  }

  private add(kind: ProbeKind, probe: Probe): void {
    if (this.stopped) return;
    const prober = new Prober(
      kind,
      probe,
      () => this.target(),
      (r) => this.onResult(kind, probe, prober, r),
    );
    this.probers.push(prober);
    prober.start();
  }

  private onResult(kind: ProbeKind, probe: Probe, prober: Prober, r: ProbeReport): void {
    if (this.stopped) return;
    if (!r.ok) this.record('Warning', 'Unhealthy', `${LABEL[kind]} probe failed: ${r.message}`);
    const failed = r.failures >= (probe.failureThreshold ?? 3);
    if (kind === 'readiness') {
      const ready = r.ok
        ? r.successes >= (probe.successThreshold ?? 1) || this.runner.ready
        : this.runner.ready && !failed;
      if (ready !== this.runner.ready) {
        this.runner.ready = ready;
        this.runner.changed();
      }
      return;
    }
    if (kind === 'startup' && r.ok) {
      prober.stop();
      this.startMain();
      return;
    }
    if (!failed) return;
    this.record('Normal', 'Killing', `Container ${this.runner.name} failed ${kind} probe, will be restarted`);
    this.stop();
    const pod = this.handle.pod().spec as { terminationGracePeriodSeconds?: number };
    const grace = probe.terminationGracePeriodSeconds ?? pod.terminationGracePeriodSeconds ?? 30;
    this.runner
      .kill(grace * 1000)
      .catch((err: Error) =>
        this.record('Warning', 'Failed', `killing container ${this.runner.name}: ${err.message}`),
      );
  }

  /** preStop: exec or httpGet, bounded by the termination deadline; a failure is an event, not a stop. */
  async runPreStop(deadlineMs: number): Promise<void> {
    const hook = this.runner.spec.lifecycle?.preStop as (Probe & { sleep?: { seconds: number } }) | undefined;
    if (!hook) return;
    const budgetMs = Math.max(0, deadlineMs - Date.now());
    if (hook.sleep) {
      await new Promise((r) => setTimeout(r, Math.min(budgetMs, hook.sleep!.seconds * 1000)));
      return;
    }
    const result = await runProbe({ ...hook, timeoutSeconds: budgetMs / 1000 }, this.target());
    if (!result.ok) this.record('Warning', 'FailedPreStopHook', `PreStopHook failed: ${result.message}`);
  }
}
