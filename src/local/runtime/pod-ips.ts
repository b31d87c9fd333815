// Pod addresses on the loopback range: 127.1.0.1, 127.1.0.2, … (127.1.x.y with y in 1..254).
// On Linux every 127.0.0.0/8 address is local, so each pod can bind its own address and many
// pods can listen on the same port, as they do in a real cluster.
//
// What must stay true:
// - An address is held by one pod of one cluster at a time, also across processes (two local
//   clusters, or test files running side by side): each claim is a lock file named after the
//   address in `<tmpdir>/cutover-pod-ips`, holding the pid; a lock whose process is gone is stale.
// - Addresses are handed out round-robin and not reused at once, so that a client still holding
//   a connection to a terminated pod does not end up talking to its successor.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FIRST = 1; // 127.1.0.1
const LAST = 256 * 254; // 127.1.255.254
export const POD_IP_LOCK_DIR = join(tmpdir(), 'cutover-pod-ips');

/** Addresses held by any runtime of this process (a process may run several, e.g. in tests). */
const heldHere = new Set<number>();

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

/** Writes the lock with our pid in one step (link of a complete file), so no one reads it half-written. */
function writeLock(path: string, replace: boolean): boolean {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, String(process.pid));
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

function lockOwner(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').trim()) || 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

function claim(n: number): boolean {
  if (heldHere.has(n)) return false;
  const path = join(POD_IP_LOCK_DIR, toIp(n));
  if (!writeLock(path, false)) {
    const owner = lockOwner(path);
    if (owner !== process.pid && alive(owner)) return false;
    // Stale (its process is gone, or it is ours and unheld): take it over, then make sure no
    // other process took it over at the same moment.
    writeLock(path, true);
    if (lockOwner(path) !== process.pid) return false;
  }
  heldHere.add(n);
  return true;
}

function unclaim(n: number): void {
  if (!heldHere.delete(n)) return;
  const path = join(POD_IP_LOCK_DIR, toIp(n));
  try {
    if (Number(readFileSync(path, 'utf8').trim()) === process.pid) unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export class PodIpAllocator {
  private readonly mine = new Set<number>();
  private next = FIRST;

  constructor() {
    mkdirSync(POD_IP_LOCK_DIR, { recursive: true });
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
