// The contract between the local cluster's object store and everything that runs in the same
// process: the API server, the controllers, the pod runtime and the gateway.
//
// What must stay true:
// - resourceVersion is one global, strictly increasing counter (like etcd's revision), rendered
//   as a decimal string in metadata.resourceVersion.
// - Objects handed out are copies: mutating them never changes the store.
// - Every write produces exactly one event, delivered to watchers in resourceVersion order.
//   An update that changes nothing is not a write: it returns the stored object, no new
//   resourceVersion and no event (as Kubernetes does).
// - Writes made in-process go through the same checks as writes over HTTP (resourceVersion
//   preconditions, generation bumps), but not through admission/validation, which the API server does.

import type { ResourceType } from '../resources.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }>;
  finalizers?: string[];
  generateName?: string;
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resource: ResourceType;
  /** The object after the change; for DELETED, its last state with the deletion's resourceVersion. */
  object: KubeObject;
  resourceVersion: number;
  /** The same object serialized as JSON, for callers that only forward it (the API server's watch). */
  json?: string;
}

export interface WatchOptions {
  namespace?: string;
  /**
   * Deliver events with a resourceVersion greater than this. Undefined: only future events.
   * Older than the retained history: the store throws a 410 Expired ApiError.
   */
  sinceResourceVersion?: number;
}

export interface UpdateOptions {
  /**
   * Status-only update (the /status subresource): spec changes are ignored and generation is
   * not bumped. Main-resource updates ignore changes to status for kinds with a status subresource.
   */
  subresource?: 'status';
}

export interface DeleteOptions {
  /** Fail with 409 Conflict if the stored object has another resourceVersion / uid. */
  preconditions?: { resourceVersion?: string; uid?: string };
}

export interface ObjectStore {
  /** The last resourceVersion handed out (0 for an empty store). */
  currentResourceVersion(): number;
  get(resource: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Objects of one resource, all namespaces when namespace is undefined, sorted by namespace then name. */
  list(resource: ResourceType, namespace?: string): { items: KubeObject[]; resourceVersion: number };
  /** Assigns uid, resourceVersion, creationTimestamp, generation (1); fills metadata.name from generateName. Throws ApiError 409 AlreadyExists. */
  create(resource: ResourceType, object: KubeObject): KubeObject;
  /**
   * Replaces the object. If object.metadata.resourceVersion is set and differs from the stored
   * one: ApiError 409 Conflict. Missing object: ApiError 404. Bumps generation when the spec
   * (everything but metadata and status) changed.
   */
  update(resource: ResourceType, object: KubeObject, options?: UpdateOptions): KubeObject;
  /** Removes the object now (finalizers and grace periods are the callers' business). Throws 404. */
  delete(
    resource: ResourceType,
    namespace: string | undefined,
    name: string,
    options?: DeleteOptions,
  ): KubeObject;
  /**
   * Calls listener for each event of this resource (optionally in one namespace), synchronously
   * after the write that caused it. Returns a function that stops the watch.
   */
  watch(resource: ResourceType, listener: (event: StoreEvent) => void, options?: WatchOptions): () => void;
  /** Writes pending state to disk (the store also persists on its own, debounced). */
  flush(): Promise<void>;
}

/** An error carrying a Kubernetes Status body; the API server sends it as is. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ reason: string; message: string; field?: string }>;
    retryAfterSeconds?: number;
  };
  code: number;
}
