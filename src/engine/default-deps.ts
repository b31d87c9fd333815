// The production world: node:http to the gateway, sh for commands, the Lease lock.
import http from 'node:http';
import type https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { httpsModule } from '../kube/tls-modules.js';
import type { CommandRun, EngineDeps, EngineLog, HttpAnswer, HttpGet, RunCommand } from './deps.js';

// The https agent (and node:https) only for a gateway reached over https.
const agents: { http: http.Agent; https?: https.Agent } = { http: new http.Agent({ keepAlive: true }) };

export const httpGet: HttpGet = (url, options) =>
  new Promise<HttpAnswer>((resolve) => {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const mod = secure ? httpsModule() : http;
    const agent = secure ? (agents.https ??= new (httpsModule().Agent)({ keepAlive: true })) : agents.http;
    const fail = (err: Error) => resolve({ status: 0, headers: {}, body: err.message });
    const req = mod.request(
      u,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.freshConnection ? false : agent,
        signal: options.signal,
        // Per-request TLS settings: the agent pools connections per CA / verification setting.
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = String(v);
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.setTimeout(options.timeoutMs, () =>
      req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
    );
    req.on('error', fail);
    req.end(options.body);
  });

/** Lets the process exit promptly once the engine is done. */
export function closeHttpAgents(): void {
  agents.http.destroy();
  agents.https?.destroy();
  agents.https = undefined;
}

const OUTPUT_LIMIT = 8192;

// node:child_process loads on first use: loading it costs a few ms of every start (ADR 0020), and
// a rollback or a status never runs a command.
export const runCommand: RunCommand = async (command, options) => {
  const { spawn } = await import('node:child_process');
  return new Promise<CommandRun>((resolve) => {
    const child = spawn('sh', ['-c', command], {
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (c: Buffer) => {
      output = (output + c.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => keep(Buffer.from(err.message)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: code ?? (signal ? 128 : 1), output });
    });
  });
};

export function defaultDeps(
  log: EngineLog,
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): EngineDeps {
  return {
    clock: () => Date.now(),
    sleep: (ms, s) => delay(ms, undefined, { signal: s }),
    random: Math.random,
    http: httpGet,
    runCommand,
    // Loaded on first use: read-only commands (status, history) never take the lock.
    acquireLock: async (client, options) => (await import('../lock/acquire.js')).acquireLock(client, options),
    log,
    env,
    signal,
    afterStep: pauseAfterStep(env.CUTOVER_PAUSE_AFTER_STEP, log, signal),
  };
}

/**
 * CUTOVER_PAUSE_AFTER_STEP=<step> (or "<operation>: <step>"), for crash tests only: once that step
 * is done the run says so and does nothing more — no request, no next step — until it is killed
 * or stopped, so a SIGKILL lands exactly between two steps however loaded the machine is. Unset
 * (as everywhere outside those tests) there is no hook at all.
 */
function pauseAfterStep(
  name: string | undefined,
  log: EngineLog,
  signal?: AbortSignal,
): EngineDeps['afterStep'] {
  if (!name) return undefined;
  return (operation, step) => {
    if (name !== step && name !== `${operation}: ${step}`) return Promise.resolve();
    log.info(`paused after ${operation}: ${step} (CUTOVER_PAUSE_AFTER_STEP)`);
    return new Promise((_resolve, reject) => {
      // An interval keeps Node alive: a bare pending promise would let the process exit.
      const keepAlive = setInterval(() => {}, 60_000);
      const stop = () => (clearInterval(keepAlive), reject(signal?.reason ?? new Error('stopped')));
      if (signal?.aborted) stop();
      else signal?.addEventListener('abort', stop, { once: true });
    });
  };
}
