// Watches kinds of objects in a namespace and says "something changed" — the dashboard re-reads
// an app's status on change instead of polling the API server. A watch the server ends (its
// timeout, a restart, a dropped connection) is opened again after a short, growing pause.
import type { KubeClient } from '../kube/types.js';

export interface KindRef {
  apiVersion: string;
  kind: string;
}

export interface ObjectWatchOptions {
  kube: KubeClient;
  namespace: string;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  /** Called for each event; `name` is the object's name. */
  onEvent: (kind: string, name: string) => void;
  onError?: (message: string) => void;
}

export class NamespaceWatch {
  private readonly watched = new Set<string>();

  constructor(private readonly options: ObjectWatchOptions) {}

  /** Starts watching `ref` unless already watched. */
  add(ref: KindRef): void {
    const key = `${ref.apiVersion}/${ref.kind}`;
    if (this.watched.has(key)) return;
    this.watched.add(key);
    void this.loop(ref);
  }

  private async loop(ref: KindRef): Promise<void> {
    const { kube, namespace, signal, sleep, onEvent, onError } = this.options;
    let pauseMs = 250;
    while (!signal.aborted) {
      try {
        // No resourceVersion: the server sends every current object first (ADDED), so a
        // reconnect also catches up on whatever changed while the watch was down.
        for await (const event of kube.watch(ref.apiVersion, ref.kind, {
          namespace,
          timeoutSeconds: 300,
          signal,
        })) {
          pauseMs = 250;
          onEvent(ref.kind, event.object.metadata.name);
        }
      } catch (err) {
        if (signal.aborted) return;
        onError?.(`watch ${ref.kind} in ${namespace}: ${(err as Error).message}`);
      }
      await sleep(pauseMs, signal).catch(() => undefined);
      pauseMs = Math.min(pauseMs * 2, 5000);
    }
  }
}

/** The objects in a router's live state (whatever its shape), as kinds to watch. */
export function kindsIn(value: unknown, out: KindRef[] = []): KindRef[] {
  if (Array.isArray(value)) {
    for (const v of value) kindsIn(v, out);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.apiVersion === 'string' && typeof o.kind === 'string' && o.metadata) {
      if (!out.some((k) => k.apiVersion === o.apiVersion && k.kind === o.kind))
        out.push({ apiVersion: o.apiVersion, kind: o.kind });
    } else {
      for (const v of Object.values(o)) kindsIn(v, out);
    }
  }
  return out;
}
