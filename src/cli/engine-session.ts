// What every engine command does around its one engine call: load cutover.yaml (all input is
// validated before the cluster is touched), connect like kubectl, build the engine context with
// the production world, and close connections at the end so the process exits promptly.
import { loadConfig } from '../config/load.js';
import type { CutoverConfig } from '../config/types.js';
import { createKubeClient, loadKubeConfig } from '../kube/index.js';
import { learnKubeconfig, learnSecrets } from '../engine/secret-values.js';
import type { KubeClient } from '../kube/types.js';
import { createContext, type EngineContext } from '../engine/context.js';
import { closeHttpAgents, defaultDeps } from '../engine/default-deps.js';
import type { CliIo, ParsedArgs } from './command.js';
import { globalOptions, type GlobalOptions } from './global-flags.js';
import { createOutput, type Output } from './output.js';

export interface Session {
  ctx: EngineContext;
  options: GlobalOptions;
  out: Output;
  kube: KubeClient;
}

export function loadSessionConfig(
  options: GlobalOptions,
  env: Record<string, string | undefined>,
): CutoverConfig {
  const config = loadConfig(options.configFile, { env });
  return {
    ...config,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: options.lockTimeoutSeconds } : {}),
  };
}

export interface SessionOptions {
  /**
   * The operation awaits the redactor's read of the Secrets itself, in its first round trip
   * (`EngineDeps.secretsLearned`): rollback and promote, which race to their switch. Output
   * waits for that read meanwhile (Redactor.holdUntil).
   */
  secretsAlongside?: boolean;
}

export async function withSession<T>(
  args: ParsedArgs,
  io: CliIo,
  fn: (s: Session) => Promise<T>,
  sessionOptions: SessionOptions = {},
): Promise<T> {
  const options = globalOptions(args);
  const out = createOutput(io, options.output, { noColor: options.noColor });
  const config = loadSessionConfig(options, io.env);
  const where = {
    kubeconfig: options.kubeconfig,
    context: options.context,
    namespace: options.namespace ?? config.namespace,
    env: io.env,
  };
  // Retries of the cluster client are logged like every other warning (stderr, timestamped in CI).
  const kubeDeps = { logger: { debug: () => {}, warn: (m: string) => out.log.warn(m) } };
  const stop = operationStop(io.signal, config.operationTimeoutSeconds);
  // The kubeconfig is read and parsed once, for both clients and the redactor.
  const resolved = loadKubeConfig(where);
  learnKubeconfig(io.redactor, resolved);
  // Every request of the operation stops at once on SIGINT/SIGTERM or at the deadline…
  const kube = createKubeClient(resolved, kubeDeps, { signal: stop.signal });
  // …while what must still happen then (release the lock, read what was left, record it in the
  // history) goes through a client of its own with short clocks: done, or given up, in ~2 s.
  const settleKube = createKubeClient(resolved, kubeDeps, SETTLE_CLIENT);
  try {
    const learning = learnSecrets(
      io.redactor,
      config,
      kube,
      options.namespace ?? config.namespace ?? kube.namespace,
    );
    let secretsLearned: Promise<void> | undefined;
    if (sessionOptions.secretsAlongside) {
      io.redactor.holdUntil(learning);
      learning.catch(() => undefined); // the operation awaits it and fails with it
      secretsLearned = learning;
    } else await learning;
    const deps = {
      ...defaultDeps(out.log, io.env, stop.signal),
      redactor: io.redactor,
      ...(secretsLearned ? { secretsLearned } : {}),
    };
    const ctx = await createContext({ config, kube, deps, dryRun: options.dryRun });
    ctx.settleKube = settleKube;
    return await fn({ ctx, options, out, kube });
  } finally {
    stop.dispose();
    out.close();
    kube.close();
    settleKube.close();
    closeHttpAgents();
  }
}

/**
 * Clocks of the client that settles a stopped operation (lock, history): seconds, not minutes.
 * The 1 s retry budget bounds the time; the attempts allow a lost answer and a failed read-back
 * (fast resets) within it, which two attempts did not (a Lease created but reported unreachable).
 */
const SETTLE_CLIENT = {
  requestTimeoutMs: 1_500,
  idleTimeoutMs: 1_500,
  totalTimeoutMs: 2_000,
  retryBudgetMs: 1_000,
  maxAttempts: 4,
};

/** Aborted by the user's signal or at the operation's deadline, whichever comes first. */
function operationStop(
  signal: AbortSignal,
  timeoutSeconds: number,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort(signal.reason ?? new Error('stopped'));
  if (signal.aborted) onSignal();
  else signal.addEventListener('abort', onSignal, { once: true });
  const timer = setTimeout(
    () =>
      controller.abort(
        new Error(`the operation deadline of ${timeoutSeconds} s passed (operationTimeoutSeconds)`),
      ),
    timeoutSeconds * 1000,
  );
  timer.unref();
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onSignal);
    },
  };
}

/** Adds the API request count to a JSON result (the benchmark reads it). */
export function withRequests<T extends object>(value: T, kube: KubeClient): T & { apiRequests: number } {
  return { ...value, apiRequests: kube.requestCount };
}
