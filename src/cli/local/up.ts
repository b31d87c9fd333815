// `cutover local up`: run the embedded local cluster in the foreground, or with --detach in a
// background process that outlives this command (pid file in the state dir; `local down` stops it).
import { STATE_DIR_FLAG } from '../global-flags.js';
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIo, Command, ParsedArgs } from '../command.js';
import { InputError, OperationFailedError } from '../../errors.js';
import { DEFAULT_STATE_DIR } from '../../local/state-dir.js';
import { STATE_FILES } from '../../local/cluster.js';
import { readRunningCluster, waitForCluster } from './state.js';

function portFlag(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InputError(`--${flag} must be a port number from 0 to 65535, got "${String(value)}"`, {
      remedy: `pass --${flag} 0 to pick a free port`,
    });
  }
  return n;
}

function nonNegative(value: unknown, flag: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InputError(`--${flag} must be a number of milliseconds ≥ 0, got "${String(value)}"`);
  return n;
}

function usageText(
  stateDir: string,
  info: {
    apiUrl: string;
    gatewayUrl: string;
    database?: { host: string; port: number };
    prometheusUrl?: string;
  },
): string {
  const kubeconfig = join(stateDir, STATE_FILES.kubeconfig);
  return [
    `local cluster is up`,
    `  API server:  ${info.apiUrl}`,
    `  gateway:     ${info.gatewayUrl}  (istio-system/istio-ingressgateway)`,
    info.database
      ? `  PostgreSQL:  ${info.database.host}:${info.database.port}  (any user and password)`
      : '',
    info.prometheusUrl
      ? `  Prometheus:  ${info.prometheusUrl}  (scrapes the gateway's /stats/prometheus every second)`
      : '',
    `  state dir:   ${stateDir}`,
    ``,
    `Use it with kubectl or cutover:`,
    `  export KUBECONFIG=${kubeconfig}`,
    ``,
  ]
    .filter((l, i) => l !== '' || i > 4)
    .join('\n');
}

async function runForeground(args: ParsedArgs, io: CliIo, stateDir: string): Promise<number> {
  const { startLocalCluster } = await import('../../local/cluster.js');
  const cluster = await startLocalCluster({
    stateDir,
    apiPort: portFlag(args.values['api-port'], 'api-port'),
    gatewayPort: portFlag(args.values['gateway-port'], 'gateway-port'),
    propagationDelayMs: nonNegative(args.values['propagation-delay-ms'], 'propagation-delay-ms'),
    apiLatencyMs: nonNegative(args.values['api-latency-ms'], 'api-latency-ms'),
    database: args.values['no-database']
      ? false
      : { port: portFlag(args.values['database-port'], 'database-port') },
    prometheus: args.values.prometheus
      ? { port: portFlag(args.values['prometheus-port'], 'prometheus-port') }
      : undefined,
    log: (line) => io.stderr.write(line + '\n'),
  });
  await writeFile(join(stateDir, STATE_FILES.pid), `${process.pid}\n`);
  io.stdout.write(usageText(stateDir, cluster));
  await new Promise<void>((done) => {
    if (io.signal.aborted) return done();
    io.signal.addEventListener('abort', () => done(), { once: true });
  });
  io.stderr.write('stopping the local cluster…\n');
  await cluster.stop();
  await rm(join(stateDir, STATE_FILES.pid), { force: true });
  return 0;
}

async function runDetached(args: ParsedArgs, io: CliIo, stateDir: string): Promise<number> {
  const running = await readRunningCluster(stateDir);
  if (running) {
    io.stdout.write(usageText(stateDir, running));
    return 0;
  }
  const argv = process.argv.slice(1).filter((a) => a !== '--detach');
  const logFd = openSync(join(stateDir, STATE_FILES.log), 'a');
  const child = spawn(process.execPath, [...process.execArgv, ...argv, '--state-dir', stateDir], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...io.env, CI: io.env.CI ?? '' },
  });
  closeSync(logFd);
  child.unref();
  const info = await waitForCluster(stateDir, child.pid!, 60_000);
  if (!info) {
    const log = await readFile(join(stateDir, STATE_FILES.log), 'utf8').catch(() => '');
    throw new OperationFailedError(`the local cluster did not come up within 60 s`, {
      remedy: `read ${join(stateDir, STATE_FILES.log)}:\n${log.split('\n').slice(-15).join('\n')}`,
    });
  }
  io.stdout.write(usageText(stateDir, info));
  return 0;
}

const command: Command = {
  path: ['local', 'up'],
  usage:
    '[--state-dir DIR] [--api-port N] [--gateway-port N] [--propagation-delay-ms MS] [--api-latency-ms MS] [--prometheus [--prometheus-port N]] [--detach]',
  flags: {
    'state-dir': STATE_DIR_FLAG,
    'api-port': {
      type: 'string',
      value: 'N',
      description: 'port of the Kubernetes API (loopback)',
      defaultText: 'a free port',
    },
    'gateway-port': {
      type: 'string',
      value: 'N',
      description: 'port of the ingress gateway (loopback)',
      defaultText: 'a free port',
    },
    'database-port': {
      type: 'string',
      value: 'N',
      description: "port of the demo app's PostgreSQL (loopback)",
      defaultText: 'a free port',
    },
    'no-database': { type: 'boolean', description: "do not start the demo app's database" },
    'propagation-delay-ms': {
      type: 'string',
      value: 'MS',
      description: "how late the gateway applies a route change (Envoy's eventual consistency)",
      defaultText: '0',
    },
    'api-latency-ms': {
      type: 'string',
      value: 'MS',
      description:
        "how late the API server answers each request, as one a network away (a connection's first: twice)",
      defaultText: '0',
    },
    prometheus: {
      type: 'boolean',
      description:
        "also run a real Prometheus (Debian's prometheus package) scraping the gateway every second",
    },
    'prometheus-port': {
      type: 'string',
      value: 'N',
      description: 'port of that Prometheus (loopback)',
      defaultText: 'a free port',
    },
    detach: { type: 'boolean', description: 'run in the background and return once the cluster answers' },
  },
  examples: [
    {
      command: 'local up --detach',
      description: 'start in the background; then export KUBECONFIG as printed',
    },
  ],
  exitCodes: [1, 2],
  async run(args, io) {
    const stateDir = resolve(String(args.values['state-dir'] ?? DEFAULT_STATE_DIR));
    // Bad flags are reported before anything is written.
    for (const flag of ['api-port', 'gateway-port', 'database-port', 'prometheus-port'])
      portFlag(args.values[flag], flag);
    nonNegative(args.values['propagation-delay-ms'], 'propagation-delay-ms');
    nonNegative(args.values['api-latency-ms'], 'api-latency-ms');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(stateDir, { recursive: true });
    return args.values.detach ? runDetached(args, io, stateDir) : runForeground(args, io, stateDir);
  },
};
export default command;
