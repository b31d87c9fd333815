// Which resourceVersions a watch may start from, as the real API server's watch cache decides
// (apiserver/pkg/storage/cacher/watch_cache.go): per resource, a ring of recent events that
// starts at 100 entries, doubles (up to 100 Ki) while its oldest event is younger than 75 s,
// and otherwise drops its oldest event. A watch from before the oldest retained event, or from
// before the resourceVersion the cache started at, gets 410 "too old resource version". The
// store's own history is longer; without this window a watch from a very old resourceVersion
// would replay events a real cluster has long forgotten.
import type { ResourceType } from '../resources.js';
import { RESOURCE_TYPES } from '../resources.js';
import { expired } from '../store/api-error.js';
import type { ObjectStore } from '../store/types.js';

const LOWER_BOUND_CAPACITY = 100;
const UPPER_BOUND_CAPACITY = 100 * 1024;
const EVENT_FRESH_MS = 75_000;

class ResourceWindow {
  private rvs: number[] = [];
  private times: number[] = [];
  private capacity = LOWER_BOUND_CAPACITY;
  private removedSinceStart = false;

  constructor(private readonly startRv: number) {}

  record(rv: number, nowMs: number): void {
    this.resize(nowMs);
    if (this.rvs.length >= this.capacity) this.drop(1);
    this.rvs.push(rv);
    this.times.push(nowMs);
  }

  // resizeCacheLocked: grow while the oldest event is fresh, shrink when even the newest quarter is stale.
  private resize(nowMs: number): void {
    if (this.rvs.length < this.capacity) return;
    if (nowMs - this.times[0]! < EVENT_FRESH_MS) {
      this.capacity = Math.min(this.capacity * 2, UPPER_BOUND_CAPACITY);
      return;
    }
    if (nowMs - this.times[this.rvs.length - Math.floor(this.capacity / 4)]! > EVENT_FRESH_MS) {
      this.capacity = Math.max(Math.floor(this.capacity / 2), LOWER_BOUND_CAPACITY);
      if (this.rvs.length > this.capacity) this.drop(this.rvs.length - this.capacity);
    }
  }

  private drop(n: number): void {
    this.rvs.splice(0, n);
    this.times.splice(0, n);
    this.removedSinceStart = true;
  }

  /** The oldest resourceVersion a watch can be served from (watches start after it): oldest - 1. */
  oldestServable(): number | undefined {
    if (!this.removedSinceStart && this.startRv > 0) return this.startRv;
    if (this.rvs.length > 0) return this.rvs[0]! - 1;
    return undefined;
  }
}

export class WatchCacheWindows {
  private readonly windows = new Map<string, ResourceWindow>();
  private readonly stops: Array<() => void> = [];

  constructor(store: ObjectStore, now: () => number = Date.now) {
    const startRv = store.currentResourceVersion();
    for (const type of RESOURCE_TYPES) {
      const window = new ResourceWindow(startRv);
      this.windows.set(keyOf(type), window);
      this.stops.push(store.watch(type, (e) => window.record(e.resourceVersion, now())));
    }
  }

  /** Throws the real server's 410 Expired when a watch from `rv` is older than the window. */
  check(type: ResourceType, rv: number): void {
    const oldest = this.windows.get(keyOf(type))?.oldestServable();
    if (oldest !== undefined && rv < oldest) throw expired(`too old resource version: ${rv} (${oldest})`);
  }

  stop(): void {
    for (const stop of this.stops) stop();
  }
}

function keyOf(type: ResourceType): string {
  return `${type.group}/${type.resource}`;
}
