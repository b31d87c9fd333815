// `local up --prometheus`: a real Prometheus (Debian's `prometheus` package, 2.42) scraping the
// local ingress gateway's /stats/prometheus every second, so the Prometheus provider of the
// analysis, custom PromQL and Grafana-style queries can be tried against real Istio metric names.
// Its config, TSDB and log live in `<stateDir>/prometheus/`; it listens on loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PrometheusOptions {
  stateDir: string;
  host: string;
  /** 0 = any free port. */
  port: number;
  /** host:port the gateway serves /stats/prometheus on. */
  gatewayTarget: string;
  scrapeIntervalSeconds?: number;
  /** The binary; default `prometheus` from PATH (Debian: /usr/bin/prometheus). */
  binary?: string;
  startTimeoutMs?: number;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export const SCRAPE_JOB = 'istio-ingressgateway';

export function prometheusConfig(gatewayTarget: string, scrapeIntervalSeconds: number): string {
  return [
    'global:',
    `  scrape_interval: ${scrapeIntervalSeconds}s`,
    `  evaluation_interval: ${scrapeIntervalSeconds}s`,
    'scrape_configs:',
    `  - job_name: ${SCRAPE_JOB}`,
    '    metrics_path: /stats/prometheus',
    '    static_configs:',
    `      - targets: ['${gatewayTarget}']`,
    '        labels: { namespace: istio-system, pod: istio-ingressgateway-local }',
    '',
  ].join('\n');
}

/** Binds and releases `port` (0: any) and returns it; an EADDRINUSE error when it is taken. */
async function freePort(host: string, wanted = 0): Promise<number> {
  const server = createServer();
  server.listen(wanted, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([err]) => Promise.reject(err as Error)),
  ]);
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

export async function startPrometheus(o: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = join(o.stateDir, 'prometheus');
  await mkdir(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(o.gatewayTarget, o.scrapeIntervalSeconds ?? 1));
  const port = await freePort(o.host, o.port);
  const log = createWriteStream(join(dir, 'prometheus.log'), { flags: 'a' });
  const child = spawn(
    o.binary ?? 'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${o.host}:${port}`,
      '--storage.tsdb.retention.time=1d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = `http://${o.host}:${port}`;
  const spawned = new Promise<Error | undefined>((resolve) => {
    child.once('error', resolve);
    child.once('spawn', () => resolve(undefined));
  });
  const failed = await spawned;
  if (failed) {
    log.end();
    const missing = (failed as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'prometheus is not installed: run `apt-get install -y prometheus` (Debian), or start without --prometheus'
        : `prometheus did not start: ${failed.message}`,
      { cause: failed },
    );
  }
  try {
    await waitReady(url, child, o.startTimeoutMs ?? 30_000, join(dir, 'prometheus.log'));
  } catch (err) {
    await stop(child);
    log.end();
    throw err;
  }
  return {
    url,
    port,
    stop: async () => {
      await stop(child);
      log.end();
    },
  };
}

async function waitReady(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`prometheus exited with code ${child.exitCode}; see ${logFile}`);
    const ok = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`prometheus did not become ready at ${url} within ${timeoutMs} ms; see ${logFile}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
