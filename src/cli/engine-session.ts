// What every engine command does around its one engine call: load cutover.yaml (all input is
// validated before the cluster is touched), connect like kubectl, build the engine context with
// the production world, and close connections at the end so the process exits promptly.
import { loadConfig } from '../config/load.js';
import type { CutoverConfig } from '../config/types.js';
import { connect, loadKubeConfig } from '../kube/index.js';
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

export async function withSession<T>(
  args: ParsedArgs,
  io: CliIo,
  fn: (s: Session) => Promise<T>,
): Promise<T> {
  const options = globalOptions(args);
  const out = createOutput(io, options.output, { noColor: options.noColor });
  const config = loadSessionConfig(options, io.env);
  const kube = connect(
    {
      kubeconfig: options.kubeconfig,
      context: options.context,
      namespace: options.namespace ?? config.namespace,
      env: io.env,
    },
    // Retries of the cluster client are logged like every other warning (stderr, timestamped in CI).
    { logger: { debug: () => {}, warn: (m) => out.log.warn(m) } },
  );
  try {
    await learnSecrets(io.redactor, config, kube, options.namespace ?? config.namespace ?? kube.namespace);
    learnKubeconfig(
      io.redactor,
      loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context, env: io.env }),
    );
    const deps = { ...defaultDeps(out.log, io.env, io.signal), redactor: io.redactor };
    const ctx = await createContext({ config, kube, deps, dryRun: options.dryRun });
    return await fn({ ctx, options, out, kube });
  } finally {
    out.close();
    kube.close();
    closeHttpAgents();
  }
}

/** Adds the API request count to a JSON result (the benchmark reads it). */
export function withRequests<T extends object>(value: T, kube: KubeClient): T & { apiRequests: number } {
  return { ...value, apiRequests: kube.requestCount };
}
