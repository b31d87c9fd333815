// One container of a pod, run as a local process for as long as the pod lives: resolve the
// image (ErrImagePull / ImagePullBackOff when it is unknown), build the env
// (CreateContainerConfigError when a Secret or ConfigMap is missing), start the process with its
// logs and probes, and restart it per restartPolicy with the CrashLoopBackOff back-off.
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageEntry } from '../images/index.js';
import { normalizeImageReference } from '../images/index.js';
import { timestamp } from '../controllers/object-helpers.js';
import { buildContainerEnv, ContainerConfigError, expandReferences } from './container-env.js';
import { RestartBackoff, formatDuration } from './backoff.js';
import { containerLogPath, LogWriter } from './log-files.js';
import { killGroup, spawnGroup, waitForExit, type Exit } from './processes.js';
import { HOST_IP } from './node.js';
import { ContainerProbes } from './container-probes.js';
import type { ContainerSpec, ContainerState, PodHandle, RuntimeDeps } from './container-types.js';

export interface RunningInstance {
  child: ChildProcess;
  cwd: string;
  env: Record<string, string>;
  logs: LogWriter;
  exited: Promise<Exit & { error?: Error }>;
}

export class ContainerRunner {
  state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  lastState: ContainerState | Record<string, never> = {};
  ready = false;
  started = false;
  everStarted = false;
  /** The container will not run again (restartPolicy said so, or the pod is stopping). */
  finished = false;
  lastExitCode: number | undefined;
  current: RunningInstance | undefined;
  containerID: string | undefined;
  imageID = '';
  private stopping = false;
  private readonly wake = new AbortController();
  private readonly restartBackoff: RestartBackoff;
  private readonly pullBackoff: RestartBackoff;
  private probes: ContainerProbes | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    readonly spec: ContainerSpec,
    private readonly handle: PodHandle,
    private readonly deps: RuntimeDeps,
    public restartCount: number,
    /** Init containers run to success once; app containers follow restartPolicy. */
    readonly init = false,
  ) {
    const b = { baseMs: deps.backoffBaseMs, maxMs: deps.backoffMaxMs };
    this.restartBackoff = new RestartBackoff(b);
    this.pullBackoff = new RestartBackoff(b);
  }

  get name(): string {
    return this.spec.name;
  }

  get fieldPath(): string {
    return `spec.${this.init ? 'initContainers' : 'containers'}{${this.spec.name}}`;
  }

  /** Runs until the container is finished; resolves then. */
  run(): Promise<void> {
    this.loop ??= this.runLoop();
    return this.loop;
  }

  private async runLoop(): Promise<void> {
    while (!this.stopping) {
      const image = await this.pullImage();
      if (!image) continue;
      const env = await this.prepareEnv(image);
      if (!env) continue;
      const exit = await this.runOnce(image, env);
      if (this.stopping) break;
      if (!this.shouldRestart(exit.exitCode)) break;
      await this.waitToRestart();
    }
    this.finished = true;
    this.changed();
  }

  private shouldRestart(exitCode: number): boolean {
    const policy = ((this.handle.pod().spec as { restartPolicy?: string }).restartPolicy ??
      'Always') as string;
    if (policy === 'Never') return false;
    if (this.init || policy === 'OnFailure') return exitCode !== 0;
    return true;
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (!this.deps.quiet()) this.deps.events.record(this.handle.pod(), type, reason, message, this.fieldPath);
  }

  changed(): void {
    if (!this.deps.quiet()) this.handle.changed();
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopping || ms <= 0) return;
    await sleep(ms, undefined, { signal: this.wake.signal }).catch(() => undefined);
  }

  private async pullImage(): Promise<ImageEntry | undefined> {
    const ref = this.spec.image;
    let entry: ImageEntry | undefined;
    let why = '';
    try {
      entry = this.deps.images.lookup(ref);
      if (!entry)
        why = `image "${ref}" is not in the local image table (${this.deps.images.path}); add it with \`cutover local image add ${ref} --dir DIR -- COMMAND\``;
    } catch (err) {
      why = (err as Error).message;
    }
    if (entry) {
      this.imageID = `cutover-local://${normalizeImageReference(ref)}`;
      this.event('Normal', 'Pulled', `Container image "${ref}" already present on machine`);
      return entry;
    }
    this.setWaiting('ErrImagePull', `failed to pull and unpack image "${ref}": ${why}`);
    this.event('Warning', 'Failed', `Failed to pull image "${ref}": ${why}`);
    this.event('Warning', 'Failed', 'Error: ErrImagePull');
    const delay = Math.max(
      this.pullBackoff.nextDelay(),
      this.pullBackoff.currentStepMs() || this.deps.backoffBaseMs,
    );
    // Show ErrImagePull for a moment, then ImagePullBackOff for the rest of the wait.
    await this.pause(Math.min(1000, delay / 2));
    if (this.stopping) return undefined;
    this.setWaiting('ImagePullBackOff', `Back-off pulling image "${ref}"`);
    this.event('Normal', 'BackOff', `Back-off pulling image "${ref}"`);
    this.event('Warning', 'Failed', 'Error: ImagePullBackOff');
    await this.pause(delay - Math.min(1000, delay / 2));
    this.pullBackoff.restarted();
    return undefined;
  }

  private async prepareEnv(image: ImageEntry): Promise<Record<string, string> | undefined> {
    const h = this.handle;
    try {
      return buildContainerEnv(
        {
          store: this.deps.store,
          pod: h.pod(),
          podIP: h.podIP,
          hostIP: HOST_IP,
          imageEnv: image.env,
          apiServer: this.deps.apiServer(),
          warn: (message) => this.event('Warning', 'Failed', message),
        },
        this.spec,
      );
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      this.setWaiting('CreateContainerConfigError', err.message);
      this.event('Warning', 'Failed', `Error: ${err.message}`);
      // The kubelet retries on every pod sync; a Secret created meanwhile lets the container start.
      await this.pause(Math.min(this.deps.backoffBaseMs, 2000));
      return undefined;
    }
  }

  private setWaiting(reason: string, message?: string): void {
    this.state = { waiting: { reason, ...(message ? { message } : {}) } };
    this.ready = false;
    this.changed();
  }

  /** Docker's rule with an empty ENTRYPOINT: `command` replaces everything, `args` alone replace the image's command. */
  private commandLine(image: ImageEntry, env: Record<string, string>): string[] {
    const { command, args } = this.spec;
    const line = command?.length ? [...command, ...(args ?? [])] : args?.length ? args : image.command;
    return line.map((part) => expandReferences(part, env));
  }

  private async runOnce(image: ImageEntry, env: Record<string, string>): Promise<Exit> {
    const logs = new LogWriter(
      containerLogPath(this.deps.stateDir, this.handle.pod(), this.name, this.restartCount),
    );
    const child = spawnGroup({
      command: this.commandLine(image, env),
      cwd: image.dir,
      env,
      stdin: this.spec.stdin,
    });
    const exited = waitForExit(child);
    const pgid = child.pid;
    if (pgid) this.deps.trackProcess(this.handle.podIP, pgid, true);
    child.stdout?.on('data', (c: Buffer) => logs.write('stdout', c));
    child.stderr?.on('data', (c: Buffer) => logs.write('stderr', c));
    this.containerID = `cutover-local://${randomBytes(16).toString('hex')}`;
    this.current = { child, cwd: image.dir, env, logs, exited };
    const startedAt = timestamp();
    this.event('Normal', 'Created', `Created container ${this.name}`);
    this.state = { running: { startedAt } };
    this.everStarted = true;
    this.event('Normal', 'Started', `Started container ${this.name}`);
    this.probes = new ContainerProbes(this, this.handle, (type, reason, message) =>
      this.event(type, reason, message),
    );
    this.probes.start();
    this.changed();
    const exit = await exited;
    // Whatever the main process left behind in its group ends with it, as with a container.
    killGroup(pgid, 'SIGKILL');
    if (pgid) this.deps.trackProcess(this.handle.podIP, pgid, false);
    this.afterExit(exit, startedAt, logs);
    return exit;
  }

  private afterExit(exit: Exit & { error?: Error }, startedAt: string, logs: LogWriter): void {
    this.probes?.stop();
    this.probes = undefined;
    logs.close();
    this.current = undefined;
    this.ready = false;
    this.started = false;
    this.lastExitCode = exit.exitCode;
    const reason = exit.error ? 'StartError' : exit.exitCode === 0 ? 'Completed' : 'Error';
    const message = exit.error ? exit.error.message : undefined;
    if (exit.error)
      this.event(
        'Warning',
        'Failed',
        `Error: failed to start container "${this.name}": ${exit.error.message}`,
      );
    this.state = {
      terminated: {
        exitCode: exit.exitCode,
        reason,
        ...(message ? { message } : {}),
        startedAt,
        finishedAt: timestamp(),
        containerID: this.containerID,
      },
    };
    this.changed();
  }

  private async waitToRestart(): Promise<void> {
    const terminated = this.state;
    const delay = this.restartBackoff.nextDelay();
    if (delay > 0) {
      const pod = this.handle.pod();
      const who = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
      this.lastState = terminated;
      this.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${formatDuration(this.restartBackoff.currentStepMs())} restarting failed container=${this.name} pod=${who}`,
        },
      };
      this.event('Warning', 'BackOff', `Back-off restarting failed container ${this.name} in pod ${who}`);
      this.changed();
      await this.pause(delay);
    }
    if (this.stopping) return;
    this.restartBackoff.restarted();
    this.lastState = terminated;
    this.restartCount++;
  }

  /** Kills the running process: SIGTERM, then SIGKILL after graceMs. */
  async kill(graceMs: number): Promise<void> {
    const instance = this.current;
    if (!instance) return;
    killGroup(instance.child.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(instance.child.pid, 'SIGKILL'), Math.max(0, graceMs));
    await instance.exited;
    clearTimeout(timer);
  }

  /** Stops the container for good: no more restarts; preStop hook, SIGTERM, SIGKILL at deadline. */
  async stop(deadlineMs: number, options: { events: boolean; preStop: boolean }): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    this.probes?.stop();
    this.ready = false;
    if (this.current) {
      if (options.events) this.event('Normal', 'Killing', `Stopping container ${this.name}`);
      if (options.preStop && this.spec.lifecycle?.preStop) await this.probesOrNew().runPreStop(deadlineMs);
      await this.kill(deadlineMs - Date.now());
    }
    await this.loop;
  }

  private probesOrNew(): ContainerProbes {
    return (
      this.probes ??
      new ContainerProbes(this, this.handle, (type, reason, message) => this.event(type, reason, message))
    );
  }

  /** Where `kubectl exec` runs: the container's directory and env, while it runs. */
  execContext(): { cwd: string; env: Record<string, string> } | undefined {
    return this.current ? { cwd: this.current.cwd, env: this.current.env } : undefined;
  }
}
