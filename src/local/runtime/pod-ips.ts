// Pod addresses on the loopback range: 127.1.0.1, 127.1.0.2, … (127.1.x.y with y in 1..254).
// On Linux every 127.0.0.0/8 address is local, so each pod can bind its own address and many
// pods can listen on the same port, as they do in a real cluster.
//
// Addresses are handed out round-robin and not reused at once, so that a client still holding
// a connection to a terminated pod does not end up talking to its successor.
const FIRST = 1; // 127.1.0.1
const LAST = 256 * 254; // 127.1.255.254

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

export class PodIpAllocator {
  private readonly used = new Set<number>();
  private next = FIRST;

  /** Takes `preferred` if it is a free pod address (a pod keeping its address across a restart). */
  allocate(preferred?: string): string {
    const want = preferred ? fromIp(preferred) : undefined;
    if (want !== undefined && !this.used.has(want)) {
      this.used.add(want);
      return toIp(want);
    }
    for (let i = 0; i < LAST; i++) {
      const n = this.next;
      this.next = n >= LAST ? FIRST : n + 1;
      if (!this.used.has(n)) {
        this.used.add(n);
        return toIp(n);
      }
    }
    throw new Error('no free pod address left on 127.1.0.0/16');
  }

  release(ip: string): void {
    const n = fromIp(ip);
    if (n !== undefined) this.used.delete(n);
  }
}
