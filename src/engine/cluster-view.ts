// What an operation knows of the cluster: the objects it read, updated with the answers of its
// own writes. Plans are computed from a view; a dry run applies its changes to the view only,
// so the printed plan is exactly what a real run would write, step after step.
import type { KubeObject } from '../kube/types.js';
import type { NamespaceRouting } from '../routers/plain-traffic.js';
import type { ObjectChange } from '../routers/types.js';

export class ClusterView {
  private readonly objects = new Map<string, KubeObject>();
  /**
   * Every routing object of the namespace (not only cutover's), read by the operations that
   * write a color's workload: the live-color guard judges it. Undefined in views built by hand.
   */
  routing?: NamespaceRouting;

  static key(kind: string, name: string): string {
    return `${kind}/${name}`;
  }

  get(kind: string, name: string): KubeObject | undefined {
    return this.objects.get(ClusterView.key(kind, name));
  }

  set(obj: KubeObject): void {
    this.objects.set(ClusterView.key(obj.kind, obj.metadata.name), obj);
  }

  remove(kind: string, name: string): void {
    this.objects.delete(ClusterView.key(kind, name));
  }

  /** Records an object read from the cluster (undefined = it does not exist). */
  put(kind: string, name: string, obj: KubeObject | undefined): void {
    if (obj) this.set(obj);
    else this.remove(kind, name);
  }

  /** Applies a change to the view as the API server would (used by dry runs). */
  simulate(change: ObjectChange): void {
    const current = this.get(change.kind, change.name);
    if (change.action === 'delete') return this.remove(change.kind, change.name);
    if (change.action === 'merge-patch') {
      if (!current) return;
      const patched = mergePatch(current, change.patch ?? {}) as KubeObject;
      patched.metadata = {
        ...patched.metadata,
        resourceVersion: `${current.metadata.resourceVersion ?? '0'}+`,
      };
      return this.set(patched);
    }
    if (change.object)
      this.set({ ...change.object, metadata: { ...change.object.metadata, resourceVersion: 'planned' } });
  }
}

/** RFC 7386 JSON merge patch: maps merge, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
