// Pod addresses on the loopback range: 127.1.0.1, 127.1.0.2, … (127.1.x.y with y in 1..254).
// On Linux every 127.0.0.0/8 address is local, so each pod can bind its own address and many
// pods can listen on the same port, as they do in a real cluster.
//
// What must stay true:
// - An address is held by one pod of one cluster at a time, also across processes (two local
//   clusters, or test files running side by side): each claim is a lock file named after the
//   address in `<tmpdir>/cutover-pod-ips`, holding the owner's pid and the process groups of
//   the pod's containers. A lock whose owner is gone is stale: whoever takes it over first kills
//   the groups the dead owner left behind (a crashed cluster's containers still hold the port).
// - Addresses are handed out round-robin and not reused at once, so that a client still holding
//   a connection to a terminated pod does not end up talking to its successor.
import {
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killGroup, processStartTime } from './processes.js';

const FIRST = 1; // 127.1.0.1
const LAST = 256 * 254; // 127.1.255.254
export const POD_IP_LOCK_DIR = join(tmpdir(), 'cutover-pod-ips');

interface Lock {
  pid: number;
  /** Process groups of the pod's containers, with their leader's start time (pid reuse guard). */
  groups: Array<{ pgid: number; start?: string }>;
}

/** Addresses held by any runtime of this process (a process may run several, e.g. in tests). */
const heldHere = new Map<number, Lock>();

function toIp(n: number): string {
  const x = Math.floor((n - 1) / 254);
  const y = ((n - 1) % 254) + 1;
  return `127.1.${x}.${y}`;
}

function fromIp(ip: string): number | undefined {
  const m = /^127\.1\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  const x = Number(m[1]);
  const y = Number(m[2]);
  if (x > 255 || y < 1 || y > 254) return undefined;
  return x * 254 + y;
}

function alive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockPath(n: number): string {
  return join(POD_IP_LOCK_DIR, toIp(n));
}

/** Writes a lock in one step (a complete file linked or renamed into place): no one reads half of it. */
function writeLock(path: string, lock: Lock, replace: boolean): boolean {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, JSON.stringify(lock));
  try {
    if (replace) renameSync(tmp, path);
    else linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function readLock(path: string): Lock | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Lock> | number;
    if (typeof parsed === 'number') return { pid: parsed, groups: [] };
    return { pid: Number(parsed.pid) || 0, groups: Array.isArray(parsed.groups) ? parsed.groups : [] };
  } catch {
    return { pid: 0, groups: [] }; // unreadable: treat as stale
  }
}

/** Kills what a dead owner left running on this address, if it is still the same process. */
function killLeftovers(lock: Lock): void {
  for (const g of lock.groups) {
    if (g.start && processStartTime(g.pgid) === g.start) killGroup(g.pgid, 'SIGKILL');
  }
}

function claim(n: number): boolean {
  if (heldHere.has(n)) return false;
  const path = lockPath(n);
  const lock: Lock = { pid: process.pid, groups: [] };
  if (!writeLock(path, lock, false)) {
    const current = readLock(path);
    if (current && current.pid !== process.pid && alive(current.pid)) return false;
    // Stale: take it over, make sure no other process took it at the same moment, then clean up.
    writeLock(path, lock, true);
    if (readLock(path)?.pid !== process.pid) return false;
    if (current) killLeftovers(current);
  }
  heldHere.set(n, lock);
  return true;
}

function unclaim(n: number): void {
  if (!heldHere.delete(n)) return;
  const path = lockPath(n);
  if (readLock(path)?.pid === process.pid) unlinkSync(path);
}

/** Frees every address whose owner died, killing what it left running there. */
function sweepStaleLocks(): void {
  for (const name of readdirSync(POD_IP_LOCK_DIR)) {
    const n = fromIp(name);
    if (n === undefined || heldHere.has(n)) continue;
    const lock = readLock(lockPath(n));
    if (!lock || (lock.pid !== process.pid && alive(lock.pid))) continue;
    if (claim(n)) unclaim(n);
  }
}

export class PodIpAllocator {
  private readonly mine = new Set<number>();
  private next = FIRST;

  constructor() {
    mkdirSync(POD_IP_LOCK_DIR, { recursive: true });
    sweepStaleLocks();
  }

  /** Takes `preferred` if it is free (a pod keeping its address across a restart), else the next free one. */
  allocate(preferred?: string): string {
    const want = preferred ? fromIp(preferred) : undefined;
    if (want !== undefined && claim(want)) return this.take(want);
    for (let i = 0; i < LAST; i++) {
      const n = this.next;
      this.next = n >= LAST ? FIRST : n + 1;
      if (claim(n)) return this.take(n);
    }
    throw new Error('no free pod address left on 127.1.0.0/16');
  }

  /** Records (or forgets) a container's process group on the pod's address, for cleanup after a crash. */
  trackGroup(ip: string, pgid: number, running: boolean): void {
    const n = fromIp(ip);
    const lock = n === undefined ? undefined : heldHere.get(n);
    if (!lock || !this.mine.has(n!)) return;
    lock.groups = lock.groups.filter((g) => g.pgid !== pgid);
    if (running) lock.groups.push({ pgid, start: processStartTime(pgid) });
    writeLock(lockPath(n!), lock, true);
  }

  release(ip: string): void {
    const n = fromIp(ip);
    if (n === undefined || !this.mine.delete(n)) return;
    unclaim(n);
  }

  /** Gives back every address this allocator holds (the runtime stops). */
  releaseAll(): void {
    for (const n of [...this.mine]) {
      this.mine.delete(n);
      unclaim(n);
    }
  }

  private take(n: number): string {
    this.mine.add(n);
    return toIp(n);
  }
}
