// The in-memory object store: one map per resource, one global resourceVersion counter, a ring
// buffer of past events for watches that resume, and synchronous delivery to watchers.
//
// What must stay true:
// - Stored objects are never handed out; callers get copies (parsed from the stored JSON).
// - resourceVersion goes up by exactly one per write, and every write emits exactly one event,
//   delivered to every matching watcher before the write returns. A no-op update (nothing but
//   resourceVersion would change) is not a write: no new resourceVersion, no event, as in Kubernetes.
import { findResource, RESOURCE_TYPES, type ResourceType } from '../resources.js';
import { alreadyExists, badRequest, conflict, expired, invalid, notFound } from './api-error.js';
import { EventHistory } from './event-history.js';
import { generateNameSuffix, newUid, nowTimestamp, sameJson, sameSpec } from './object-meta.js';
import type {
  DeleteOptions,
  EventType,
  KubeObject,
  ObjectStore,
  StoreEvent,
  UpdateOptions,
  WatchOptions,
} from './types.js';

// Only the JSON is kept (parsing on demand is cheaper than holding every object twice).
interface Entry {
  json: string;
  namespace: string | undefined;
  name: string;
}

function entryOf(obj: KubeObject, json = JSON.stringify(obj)): Entry {
  return { json, namespace: obj.metadata.namespace, name: obj.metadata.name };
}

function parse(entry: Entry): KubeObject {
  return JSON.parse(entry.json) as KubeObject;
}

interface Watcher {
  listener: (event: StoreEvent) => void;
  namespace: string | undefined;
}

interface Bucket {
  resource: ResourceType;
  objects: Map<string, Entry>;
  sortedKeys: string[] | undefined;
  watchers: Set<Watcher>;
}

export interface MemoryStoreOptions {
  historySize?: number;
  /** Called after every write (to schedule persistence). */
  onWrite?: () => void;
}

export const DEFAULT_HISTORY_SIZE = 10_000;

export function resourceKey(r: Pick<ResourceType, 'group' | 'resource'>): string {
  return `${r.group}/${r.resource}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}\u0000${name}`;
}

function hasStatusSubresource(r: ResourceType): boolean {
  return r.subresources?.includes('status') ?? false;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

// One per listener and write: the object is parsed only if the listener reads it, and each
// listener gets its own copy.
class LazyEvent implements StoreEvent {
  private parsed: KubeObject | undefined;
  constructor(
    readonly type: EventType,
    readonly resource: ResourceType,
    readonly resourceVersion: number,
    readonly json: string,
  ) {}

  get object(): KubeObject {
    this.parsed ??= JSON.parse(this.json) as KubeObject;
    return this.parsed;
  }
}

function makeEvent(
  type: EventType,
  resource: ResourceType,
  resourceVersion: number,
  json: string,
): StoreEvent {
  return new LazyEvent(type, resource, resourceVersion, json);
}

export class MemoryStore implements ObjectStore {
  private rv = 0;
  private readonly buckets = new Map<string, Bucket>();
  private history: EventHistory;
  private readonly historySize: number;
  private readonly onWrite: () => void;

  constructor(options: MemoryStoreOptions = {}) {
    this.historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.history = new EventHistory(this.historySize);
    this.onWrite = options.onWrite ?? (() => undefined);
    for (const r of RESOURCE_TYPES) this.bucket(r);
  }

  /** Replaces the contents with loaded state. History starts empty: older watches get 410. */
  load(resourceVersion: number, objects: Record<string, KubeObject[]>): void {
    this.rv = resourceVersion;
    this.history = new EventHistory(this.historySize, resourceVersion);
    for (const [key, list] of Object.entries(objects)) {
      const [group, resource] = key.split('/') as [string, string];
      const type = findResource(group, resource);
      if (!type) throw new Error(`unknown resource "${key}"`);
      const bucket = this.bucket(type);
      for (const obj of list)
        bucket.objects.set(objectKey(obj.metadata.namespace, obj.metadata.name), entryOf(obj));
      bucket.sortedKeys = undefined;
    }
  }

  /** Everything, for persistence, as the stored JSON text of each object. */
  snapshot(): { resourceVersion: number; objects: Record<string, string[]> } {
    const objects: Record<string, string[]> = {};
    for (const [key, bucket] of this.buckets) {
      if (bucket.objects.size) objects[key] = [...bucket.objects.values()].map((e) => e.json);
    }
    return { resourceVersion: this.rv, objects };
  }

  currentResourceVersion(): number {
    return this.rv;
  }

  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const entry = this.bucket(resource).objects.get(objectKey(this.ns(resource, namespace), name));
    return entry ? parse(entry) : undefined;
  }

  list(resource: ResourceType, namespace?: string): { items: KubeObject[]; resourceVersion: number } {
    const bucket = this.bucket(resource);
    const items: KubeObject[] = [];
    for (const key of this.sorted(bucket)) {
      const entry = bucket.objects.get(key)!;
      if (namespace !== undefined && resource.namespaced && entry.namespace !== namespace) continue;
      items.push(parse(entry));
    }
    return { items, resourceVersion: this.rv };
  }

  create(resource: ResourceType, object: KubeObject): KubeObject {
    const obj = this.normalize(resource, object);
    const bucket = this.bucket(resource);
    const meta = obj.metadata;
    meta.name = this.assignName(resource, bucket, meta);
    if (bucket.objects.has(objectKey(meta.namespace, meta.name))) throw alreadyExists(resource, meta.name);
    const rv = ++this.rv;
    meta.uid = newUid();
    meta.resourceVersion = String(rv);
    meta.creationTimestamp = nowTimestamp();
    if (resource.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    return this.commit(bucket, 'ADDED', obj, rv);
  }

  update(resource: ResourceType, object: KubeObject, options: UpdateOptions = {}): KubeObject {
    const incoming = this.normalize(resource, object);
    const bucket = this.bucket(resource);
    const { name, namespace } = incoming.metadata;
    const existing = bucket.objects.get(objectKey(namespace, name));
    if (!existing) throw notFound(resource, name);
    const old = parse(existing);
    const wanted = incoming.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== old.metadata.resourceVersion)
      throw conflict(resource, name);
    const next =
      options.subresource === 'status'
        ? this.statusUpdate(old, incoming)
        : this.mainUpdate(resource, old, incoming);
    if (sameJson(next, old)) return parse(existing);
    const rv = ++this.rv;
    next.metadata.resourceVersion = String(rv);
    return this.commit(bucket, 'MODIFIED', next, rv);
  }

  delete(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): KubeObject {
    const bucket = this.bucket(resource);
    const key = objectKey(this.ns(resource, namespace), name);
    const existing = bucket.objects.get(key);
    if (!existing) throw notFound(resource, name);
    const last = parse(existing);
    checkPreconditions(resource, last, options.preconditions);
    bucket.objects.delete(key);
    bucket.sortedKeys = undefined;
    const rv = ++this.rv;
    last.metadata.resourceVersion = String(rv);
    const json = JSON.stringify(last);
    this.emit(bucket, 'DELETED', last, json, rv);
    return JSON.parse(json) as KubeObject;
  }

  watch(
    resource: ResourceType,
    listener: (event: StoreEvent) => void,
    options: WatchOptions = {},
  ): () => void {
    const bucket = this.bucket(resource);
    const watcher: Watcher = { listener, namespace: resource.namespaced ? options.namespace : undefined };
    const since = options.sinceResourceVersion;
    if (since !== undefined) {
      if (this.history.isExpired(since)) {
        throw expired(`too old resource version: ${since} (${this.history.oldestRetained()})`);
      }
      const key = resourceKey(resource);
      for (const e of this.history.since(since)) {
        if (e.key !== key || (watcher.namespace !== undefined && e.namespace !== watcher.namespace)) continue;
        listener(makeEvent(e.type, resource, e.resourceVersion, e.json));
      }
    }
    bucket.watchers.add(watcher);
    return () => {
      bucket.watchers.delete(watcher);
    };
  }

  async flush(): Promise<void> {
    // Persistence is layered on top (see index.ts); a bare memory store has nothing to write.
  }

  private statusUpdate(old: KubeObject, incoming: KubeObject): KubeObject {
    const next = clone(old);
    if (incoming.status === undefined) delete next.status;
    else next.status = incoming.status;
    return next;
  }

  private mainUpdate(resource: ResourceType, old: KubeObject, incoming: KubeObject): KubeObject {
    const next = incoming;
    if (hasStatusSubresource(resource)) {
      if (old.status === undefined) delete next.status;
      else next.status = clone(old.status);
    }
    const meta = next.metadata;
    const oldMeta = old.metadata;
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    meta.resourceVersion = oldMeta.resourceVersion;
    // Once set, a deletion cannot be undone by an update.
    if (oldMeta.deletionTimestamp) {
      meta.deletionTimestamp = oldMeta.deletionTimestamp;
      if (oldMeta.deletionGracePeriodSeconds !== undefined)
        meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    }
    if (resource.hasGeneration) {
      const generation = oldMeta.generation ?? 1;
      meta.generation = sameSpec(next, old) ? generation : generation + 1;
    } else {
      delete meta.generation;
    }
    return next;
  }

  private commit(bucket: Bucket, type: EventType, obj: KubeObject, rv: number): KubeObject {
    const json = JSON.stringify(obj);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    if (!bucket.objects.has(key)) bucket.sortedKeys = undefined;
    bucket.objects.set(key, entryOf(obj, json));
    this.emit(bucket, type, obj, json, rv);
    return JSON.parse(json) as KubeObject;
  }

  private emit(bucket: Bucket, type: EventType, obj: KubeObject, json: string, rv: number): void {
    const namespace = obj.metadata.namespace;
    this.history.push({ resourceVersion: rv, key: resourceKey(bucket.resource), namespace, type, json });
    this.onWrite();
    for (const w of bucket.watchers) {
      if (w.namespace !== undefined && w.namespace !== namespace) continue;
      try {
        w.listener(makeEvent(type, bucket.resource, rv, json));
      } catch (err) {
        // One broken watcher must not fail the write or starve the others; make the failure visible.
        process.emitWarning(
          `watcher of ${resourceKey(bucket.resource)} threw: ${(err as Error).stack ?? String(err)}`,
        );
      }
    }
  }

  /** A deep copy with kind, apiVersion and namespace settled for this resource. */
  private normalize(resource: ResourceType, object: KubeObject): KubeObject {
    if (typeof object !== 'object' || object === null) throw badRequest('the object is not a JSON object');
    const obj = clone(object);
    if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))
      obj.metadata = {} as KubeObject['metadata'];
    obj.kind = resource.kind;
    const groupVersion = (v: string) => (resource.group ? `${resource.group}/${v}` : v);
    if (!resource.versions.some((v) => groupVersion(v) === obj.apiVersion))
      obj.apiVersion = groupVersion(resource.versions[0]!);
    if (resource.namespaced) {
      if (!obj.metadata.namespace) throw badRequest(`a namespace is required for ${resource.resource}`);
    } else {
      delete obj.metadata.namespace;
    }
    return obj;
  }

  private assignName(resource: ResourceType, bucket: Bucket, meta: KubeObject['metadata']): string {
    if (meta.name) return meta.name;
    if (!meta.generateName) {
      throw invalid(resource, '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
          field: 'metadata.name',
        },
      ]);
    }
    for (let attempt = 0; attempt < 8; attempt++) {
      const name = `${meta.generateName}${generateNameSuffix()}`;
      if (!bucket.objects.has(objectKey(meta.namespace, name))) return name;
    }
    throw alreadyExists(resource, `${meta.generateName}*`);
  }

  private ns(resource: ResourceType, namespace: string | undefined): string | undefined {
    return resource.namespaced ? namespace : undefined;
  }

  private bucket(resource: ResourceType): Bucket {
    const key = resourceKey(resource);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { resource, objects: new Map(), sortedKeys: undefined, watchers: new Set() };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private sorted(bucket: Bucket): string[] {
    if (!bucket.sortedKeys) {
      const entries = [...bucket.objects.entries()];
      entries.sort(([, a], [, b]) => compareByNamespaceThenName(a, b));
      bucket.sortedKeys = entries.map(([k]) => k);
    }
    return bucket.sortedKeys;
  }
}

function compareByNamespaceThenName(a: Entry, b: Entry): number {
  const na = a.namespace ?? '';
  const nb = b.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  const ma = a.name;
  const mb = b.name;
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

function checkPreconditions(
  resource: ResourceType,
  obj: KubeObject,
  pre: DeleteOptions['preconditions'],
): void {
  const { name, uid, resourceVersion } = obj.metadata;
  if (pre?.uid && pre.uid !== uid) {
    throw conflict(
      resource,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== resourceVersion) {
    throw conflict(
      resource,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${resourceVersion}`,
    );
  }
}
