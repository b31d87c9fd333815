// One probe attempt, as the kubelet's prober runs it (pkg/probe/{http,tcp,exec}): httpGet
// succeeds on a status from 200 to 399, tcpSocket on an accepted connection, exec on exit code
// 0, each within timeoutSeconds. Probes reach the pod on its own address.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { killGroup } from './processes.js';

export interface Probe {
  httpGet?: {
    path?: string;
    port: number | string;
    host?: string;
    scheme?: string;
    httpHeaders?: Array<{ name: string; value: string }>;
  };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command: string[] };
  grpc?: { port: number };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface ProbeTarget {
  podIP: string;
  /** Named container ports, for `port: http`. */
  ports: Array<{ name?: string; containerPort: number }>;
  cwd: string;
  env: Record<string, string>;
}

export interface ProbeResult {
  ok: boolean;
  message: string;
}

export function resolvePort(port: number | string, target: ProbeTarget): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const found = target.ports.find((p) => p.name === port);
  if (!found) throw new Error(`unable to find port named "${port}" in the container`);
  return found.containerPort;
}

export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) return await httpProbe(probe.httpGet, target, timeoutMs);
    if (probe.tcpSocket)
      return await tcpProbe(
        probe.tcpSocket.host ?? target.podIP,
        resolvePort(probe.tcpSocket.port, target),
        timeoutMs,
      );
    if (probe.exec) return await execProbe(probe.exec.command, target, timeoutMs);
    if (probe.grpc) return { ok: false, message: 'gRPC probes are not supported by the local cluster' };
    return { ok: false, message: 'probe has no handler (httpGet, tcpSocket or exec)' };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

function httpProbe(
  get: NonNullable<Probe['httpGet']>,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ProbeResult> {
  const host = get.host ?? target.podIP;
  const port = resolvePort(get.port, target);
  const path = get.path ?? '/';
  const https = (get.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  const url = `${https ? 'https' : 'http'}://${host}:${port}${path}`;
  const headers: Record<string, string> = {
    'User-Agent': 'kube-probe/1.33',
    Accept: '*/*',
    Connection: 'close',
  };
  for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const req = (https ? httpsRequest : httpRequest)(
      { host, port, path, method: 'GET', headers, agent: false, rejectUnauthorized: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 400) resolve({ ok: true, message: '' });
        else resolve({ ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({
        ok: false,
        message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      });
    });
    req.on('error', (err) => resolve({ ok: false, message: `Get "${url}": ${dialError(err, host, port)}` }));
    req.end();
  });
}

function dialError(err: Error, host: string, port: number): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (code === 'ECONNRESET') return 'read: connection reset by peer';
  return err.message;
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: ProbeResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    socket.once('connect', () => done({ ok: true, message: '' }));
    socket.once('error', (err) => done({ ok: false, message: dialError(err, host, port) }));
  });
}

function execProbe(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const [file, ...args] = command;
    if (!file) return resolve({ ok: false, message: 'exec probe has an empty command' });
    const child = spawn(file, args, {
      cwd: target.cwd,
      env: target.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (b: Buffer) => (output = (output + b.toString()).slice(-10_000));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      killGroup(child.pid, 'SIGKILL');
      resolve({ ok: false, message: `command "${command.join(' ')}" timed out` });
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, message: err.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(
        code === 0
          ? { ok: true, message: '' }
          : { ok: false, message: output.trim() || `command "${command.join(' ')}" exited with ${code}` },
      );
    });
  });
}
