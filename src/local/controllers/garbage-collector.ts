// Garbage collection by ownerReferences (pkg/controller/garbagecollector), simplified to full
// re-scans, which are cheap at the size of a local cluster:
// - background: an object all of whose owners are gone is deleted (pods gracefully, so their
//   processes get SIGTERM and the grace period);
// - foreground: an owner being deleted with the `foregroundDeletion` finalizer waits until its
//   dependents are gone, then loses the finalizer (and is removed once no finalizer is left);
// - orphan: the `orphan` finalizer strips the owner's references from its dependents first.
import type { KubeObject, ObjectStore } from '../store/types.js';
import { isApiError } from '../store/api-error.js';
import { RESOURCE_TYPES, type ResourceType } from '../resources.js';
import { PODS } from './kinds.js';
import { deletePodGracefully } from './pod-deletion.js';

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

/** Kinds that can own or be owned here; Events are neither and are the busiest, so they are left out. */
export const GC_KINDS: ResourceType[] = RESOURCE_TYPES.filter((r) => r.resource !== 'events');

interface Item {
  resource: ResourceType;
  obj: KubeObject;
}

export function collectGarbage(store: ObjectStore): void {
  const all: Item[] = GC_KINDS.flatMap((resource) =>
    store.list(resource).items.map((obj) => ({ resource, obj })),
  );
  const byUid = new Map(all.map((i) => [i.obj.metadata.uid!, i]));
  const dependents = new Map<string, Item[]>();
  for (const item of all) {
    for (const ref of item.obj.metadata.ownerReferences ?? [])
      dependents.set(ref.uid, [...(dependents.get(ref.uid) ?? []), item]);
  }
  for (const item of all) {
    const refs = item.obj.metadata.ownerReferences ?? [];
    if (refs.length > 0 && refs.every((r) => !byUid.has(r.uid))) remove(store, item);
  }
  for (const owner of all) {
    const finalizers = owner.obj.metadata.finalizers ?? [];
    if (!owner.obj.metadata.deletionTimestamp) continue;
    const deps = dependents.get(owner.obj.metadata.uid!) ?? [];
    if (finalizers.includes(ORPHAN)) orphan(store, owner, deps);
    else if (finalizers.includes(FOREGROUND)) foreground(store, owner, deps);
  }
}

function remove(store: ObjectStore, item: Item): void {
  try {
    if (item.resource === PODS) deletePodGracefully(store, item.obj);
    else if (!item.obj.metadata.deletionTimestamp) {
      store.delete(item.resource, item.obj.metadata.namespace, item.obj.metadata.name, {
        preconditions: { uid: item.obj.metadata.uid },
      });
    }
  } catch (err) {
    if (!(isApiError(err) && err.code === 404)) throw err;
  }
}

function foreground(store: ObjectStore, owner: Item, deps: Item[]): void {
  for (const dep of deps) {
    const refs = dep.obj.metadata.ownerReferences ?? [];
    // Dependents with another living owner stay; ours just stops pointing at them.
    if (refs.length === 1) remove(store, dep);
    else dropReference(store, dep, owner.obj.metadata.uid!);
  }
  if (deps.length === 0) dropFinalizer(store, owner, FOREGROUND);
}

function orphan(store: ObjectStore, owner: Item, deps: Item[]): void {
  for (const dep of deps) dropReference(store, dep, owner.obj.metadata.uid!);
  dropFinalizer(store, owner, ORPHAN);
}

function dropReference(store: ObjectStore, dep: Item, ownerUid: string): void {
  const current = store.get(dep.resource, dep.obj.metadata.namespace, dep.obj.metadata.name);
  if (!current) return;
  const refs = (current.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  const metadata: KubeObject['metadata'] = { ...current.metadata, ownerReferences: refs };
  if (refs.length === 0) delete metadata.ownerReferences;
  store.update(dep.resource, { ...current, metadata });
}

function dropFinalizer(store: ObjectStore, owner: Item, finalizer: string): void {
  const { namespace, name } = owner.obj.metadata;
  const current = store.get(owner.resource, namespace, name);
  if (!current) return;
  const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  if (finalizers.length === 0) {
    store.delete(owner.resource, namespace, name, { preconditions: { uid: current.metadata.uid } });
    return;
  }
  store.update(owner.resource, { ...current, metadata: { ...current.metadata, finalizers } });
}
