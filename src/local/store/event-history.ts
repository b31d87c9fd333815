// A bounded ring buffer of past events, so a watch can resume from a resourceVersion the way
// it does against etcd's history. Once an event falls out of the buffer, a watch that starts
// before it gets 410 Expired and the client re-lists.

export interface HistoryEntry {
  resourceVersion: number;
  /** `group/resource` of the object. */
  key: string;
  namespace: string | undefined;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  json: string;
}

export class EventHistory {
  private readonly entries: (HistoryEntry | undefined)[];
  private start = 0;
  private size = 0;
  /** The highest resourceVersion no longer retained; watches from below it are expired. */
  private compactedThrough: number;

  constructor(
    private readonly capacity: number,
    compactedThrough = 0,
  ) {
    this.entries = new Array(capacity);
    this.compactedThrough = compactedThrough;
  }

  push(entry: HistoryEntry): void {
    if (this.size === this.capacity) {
      this.compactedThrough = this.entries[this.start]!.resourceVersion;
      this.entries[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
      return;
    }
    this.entries[(this.start + this.size) % this.capacity] = entry;
    this.size++;
  }

  /** True when events after `rv` may have been dropped (rv is older than what is retained). */
  isExpired(rv: number): boolean {
    return rv < this.compactedThrough;
  }

  oldestRetained(): number {
    return this.compactedThrough + 1;
  }

  /** Entries with resourceVersion > rv, oldest first. */
  since(rv: number): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = 0; i < this.size; i++) {
      const e = this.entries[(this.start + i) % this.capacity]!;
      if (e.resourceVersion > rv) out.push(e);
    }
    return out;
  }
}
