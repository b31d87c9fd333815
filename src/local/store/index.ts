// The local cluster's object store: the in-memory store plus debounced, atomic persistence to
// `<stateDir>/objects.json`. Without a stateDir it lives in memory only.
import { InputError } from '../../errors.js';
import { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
import { readStateFile, stateFilePath, writeStateFile } from './state-file.js';
import type { ObjectStore } from './types.js';

export { ApiError, isApiError } from './api-error.js';
export type { ObjectStore, KubeObject, StoreEvent } from './types.js';

export interface StoreOptions {
  /** Directory for objects.json; memory only when unset. */
  stateDir?: string;
  /** Events retained for watches that resume from a resourceVersion (default 10,000). */
  historySize?: number;
  /** Delay between a write and the state file being rewritten (default 100 ms). */
  persistDelayMs?: number;
}

export type LocalStore = ObjectStore & { close(): Promise<void> };

export async function createStore(options: StoreOptions = {}): Promise<LocalStore> {
  const { stateDir } = options;
  const persister = stateDir ? new Persister(stateDir, options.persistDelayMs ?? 100) : undefined;
  const storeOptions: MemoryStoreOptions = {
    historySize: options.historySize,
    onWrite: () => persister?.schedule(),
  };
  const store = new MemoryStore(storeOptions);
  if (stateDir) {
    const state = await readStateFile(stateDir);
    if (state) loadInto(store, state, stateDir);
  }
  persister?.attach(store);
  return Object.assign(store, {
    flush: async () => persister?.flush(),
    close: async () => persister?.close(),
  });
}

function loadInto(
  store: MemoryStore,
  state: { resourceVersion: number; objects: Record<string, import('./types.js').KubeObject[]> },
  stateDir: string,
) {
  try {
    store.load(state.resourceVersion, state.objects);
  } catch (err) {
    const file = stateFilePath(stateDir);
    throw new InputError(`the local cluster's state file ${file} is corrupt: ${(err as Error).message}`, {
      cause: err,
      file,
    });
  }
}

/** Writes the store to disk at most once per delay, never two writes at a time, and reports failures on flush. */
class Persister {
  private store: MemoryStore | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private closed = false;
  private failure: unknown;

  constructor(
    private readonly stateDir: string,
    private readonly delayMs: number,
  ) {}

  attach(store: MemoryStore): void {
    this.store = store;
  }

  schedule(): void {
    this.dirty = true;
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNow().catch((err: unknown) => {
        this.failure = err;
        process.emitWarning(
          `cannot save the local cluster's state to ${stateFilePath(this.stateDir)}: ${(err as Error).message}`,
        );
      });
    }, this.delayMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writeNow();
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async writeNow(): Promise<void> {
    while (this.running) await this.running;
    if (!this.dirty || !this.store) return;
    this.dirty = false;
    const snapshot = this.store.snapshot();
    this.running = writeStateFile(this.stateDir, snapshot).finally(() => {
      this.running = undefined;
    });
    try {
      await this.running;
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }
}
