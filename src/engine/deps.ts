// The world the engine touches besides the Kubernetes API, injected in one object so that tests
// and the dashboard can supply their own: clock, sleep, HTTP to the gateway, local commands,
// the lock implementation and the progress log.
import type { Redactor } from './redact.js';
import type { AcquireLock } from '../lock/types.js';

export interface HttpAnswer {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Request body (webhooks). */
  body?: string;
  /** PEM CA bundle for https (Prometheus with a private CA). */
  ca?: string;
  insecureSkipVerify?: boolean;
  /** A new connection for this request (a data plane that balances connections, not requests). */
  freshConnection?: boolean;
}

/** One HTTP request; network failures come back as status 0 with the error in body. */
export type HttpGet = (url: string, options: HttpRequestOptions) => Promise<HttpAnswer>;

export interface CommandRun {
  exitCode: number;
  /** stdout and stderr interleaved, last 8 KiB. */
  output: string;
}

/** Runs `sh -c command` with the given environment. */
export type RunCommand = (
  command: string,
  options: { env: Record<string, string | undefined>; timeoutMs: number; signal?: AbortSignal },
) => Promise<CommandRun>;

/** `planned`: a dry run's step — what would be done, never shown as done. */
export type StepStatus = 'start' | 'done' | 'planned' | 'skipped' | 'failed';

export interface StepEvent {
  operation: string;
  step: string;
  status: StepStatus;
  detail?: string;
  ms?: number;
}

export interface EngineLog {
  step(event: StepEvent): void;
  info(message: string): void;
  warn(message: string): void;
  /**
   * How a long wait is going ("2/3 ready", "lock held by ci-4711: 40 s of 600 s"), called often
   * (about once a second). A terminal redraws it in place; CI prints it every few seconds;
   * loggers without it drop it. Never a result: what matters also goes to info/warn or an error.
   */
  progress?(text: string): void;
}

export interface EngineDeps {
  /** Hides secret values in what the engine records (history); the CLI also passes its output through it. */
  redactor?: Redactor;
  /** Milliseconds since the epoch. */
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  http: HttpGet;
  runCommand: RunCommand;
  acquireLock: AcquireLock;
  log: EngineLog;
  env: Record<string, string | undefined>;
  /** Aborted when the user asks to stop. */
  signal?: AbortSignal;
  /**
   * The redactor's read of the app's Secrets when it runs alongside the operation's first reads
   * (rollback, promote): the operation awaits it with them, before it judges or writes anything,
   * and fails as the read failed. Undefined: the caller read them before the operation began.
   */
  secretsLearned?: Promise<void>;
  /**
   * Called after each step is logged. A test seam only: the crash tests pause a run there
   * (CUTOVER_PAUSE_AFTER_STEP, default-deps.ts) to SIGKILL it exactly between two steps.
   */
  afterStep?: (operation: string, step: string) => Promise<void>;
}

export const silentLog: EngineLog = { step() {}, info() {}, warn() {} };
