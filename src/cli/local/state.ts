// Reading the state a running local cluster leaves in its state dir (pid file and cluster.json),
// shared by `local up --detach`, `local down` and `local status`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATE_FILES } from '../../local/cluster.js';

export interface ClusterInfo {
  apiUrl: string;
  gatewayUrl: string;
  database?: { host: string; port: number };
  /** Set when the cluster was started with --prometheus. */
  prometheusUrl?: string;
  pid: number;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readPid(stateDir: string): Promise<number | undefined> {
  const text = await readFile(join(stateDir, STATE_FILES.pid), 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function readInfo(stateDir: string): Promise<ClusterInfo | undefined> {
  const text = await readFile(join(stateDir, STATE_FILES.info), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as ClusterInfo;
  } catch {
    return undefined; // half-written by a cluster that is starting; callers poll again
  }
}

async function answers(apiUrl: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/readyz', apiUrl), { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The cluster running from this state dir, if its process lives and its API server answers. */
export async function readRunningCluster(stateDir: string): Promise<ClusterInfo | undefined> {
  const pid = await readPid(stateDir);
  if (!pid || !isAlive(pid)) return undefined;
  const info = await readInfo(stateDir);
  return info && info.pid === pid && (await answers(info.apiUrl)) ? info : undefined;
}

/** Polls until the cluster started as `pid` answers, the process dies, or the deadline passes. */
export async function waitForCluster(
  stateDir: string,
  pid: number,
  timeoutMs: number,
): Promise<ClusterInfo | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive(pid)) {
    const info = await readRunningCluster(stateDir);
    if (info && info.pid === pid) return info;
    await sleep(100);
  }
  return undefined;
}
