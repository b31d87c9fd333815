// DELETE of one object and of a collection. DeleteOptions come from the body (kubectl sends
// {"propagationPolicy":"Background"}) or the query. What "delete" means depends on the object:
// - a Pod on a node that has not finished, with a grace period: it gets deletionTimestamp and
//   deletionGracePeriodSeconds, and the pod runtime removes it once its processes have stopped;
// - an object with finalizers: it gets deletionTimestamp and stays until they are removed;
// - a Namespace: everything in it goes, then the namespace;
// - anything else: removed at once. Dependents are the garbage collector's business, except for
//   propagationPolicy=Orphan, where their ownerReferences to the deleted object are removed here.
import { RESOURCE_TYPES, type ResourceType } from '../resources.js';
import { badRequest, conflict, isApiError, notFound, statusError } from '../store/api-error.js';
import { nowTimestamp } from '../store/object-meta.js';
import type { KubeObject } from '../store/types.js';
import { isDryRun, present, respond, type Call } from './call.js';
import { parseJsonBody, readBody } from './http-io.js';
import { selectObjects } from './handlers-read.js';
import { groupVersion } from './paths.js';

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

const POLICIES = ['Orphan', 'Background', 'Foreground'];
const DEFAULT_POD_GRACE_SECONDS = 30;

export async function readDeleteOptions(call: Call): Promise<DeleteOptions> {
  const raw = await readBody(call.req);
  const body = raw.length && raw.toString('utf8').trim() !== '' ? parseJsonBody(raw.toString('utf8')) : {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('DeleteOptions: the body must be a JSON object');
  const opts = body as DeleteOptions & { orphanDependents?: boolean };
  const q = call.query;
  const grace = q.get('gracePeriodSeconds') ?? opts.gracePeriodSeconds;
  const policy =
    q.get('propagationPolicy') ?? opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : undefined);
  if (grace !== undefined && grace !== null && !/^-?\d+$/.test(String(grace)))
    throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(grace)}: must be an integer`);
  if (policy !== undefined && !POLICIES.includes(policy)) {
    throw statusError(
      422,
      'Invalid',
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  return {
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : Math.max(0, Number(grace)),
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    preconditions: opts.preconditions,
  };
}

export async function handleDelete(call: Call): Promise<void> {
  call.verb = 'DELETE';
  const options = await readDeleteOptions(call);
  const { route } = call;
  const existing = call.ctx.store.get(route.type, route.namespace, route.name!);
  if (!existing) throw notFound(route.type, route.name!);
  if (isDryRun(call)) {
    respond(call, 200, present(call, existing));
    return;
  }
  respond(call, 200, present(call, deleteObject(call, route.type, existing, options)));
}

export async function handleDeleteCollection(call: Call): Promise<void> {
  call.verb = 'DELETECOLLECTION';
  const options = await readDeleteOptions(call);
  const { items, resourceVersion } = selectObjects(call);
  const dryRun = isDryRun(call);
  const deleted: KubeObject[] = [];
  for (const obj of items) {
    if (dryRun) {
      deleted.push(obj);
      continue;
    }
    try {
      deleted.push(present(call, deleteObject(call, call.route.type, obj, options)));
    } catch (err) {
      // Removed by someone else meanwhile: the collection is still gone, as asked.
      if (!(isApiError(err) && err.code === 404)) throw err;
    }
  }
  const apiVersion = groupVersion(call.route.group, call.route.version);
  respond(call, 200, {
    kind: call.route.type.listKind,
    apiVersion,
    metadata: { resourceVersion: String(resourceVersion) },
    items: deleted,
  });
}

/** Deletes (or starts deleting) one object; returns the object as it now stands or as last stored. */
export function deleteObject(
  call: Call,
  type: ResourceType,
  obj: KubeObject,
  options: DeleteOptions,
): KubeObject {
  const { store } = call.ctx;
  const { namespace, name } = obj.metadata;
  const preconditions = options.preconditions;
  if (type.kind === 'Pod' && podNeedsGracefulStop(obj, options))
    return markPodTerminating(call, type, obj, options);
  if (obj.metadata.finalizers?.length) return markDeleting(call, type, obj, options);
  if (type.kind === 'Namespace') deleteNamespaceContents(call, name);
  if (options.propagationPolicy === 'Orphan') orphanDependents(call, obj);
  return store.delete(type, namespace, name, { preconditions });
}

function podNeedsGracefulStop(pod: KubeObject, options: DeleteOptions): boolean {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  const grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? DEFAULT_POD_GRACE_SECONDS;
  return Boolean(spec.nodeName) && phase !== 'Succeeded' && phase !== 'Failed' && grace > 0;
}

function markPodTerminating(
  call: Call,
  type: ResourceType,
  pod: KubeObject,
  options: DeleteOptions,
): KubeObject {
  if (pod.metadata.deletionTimestamp) return pod;
  const spec = (pod.spec ?? {}) as { terminationGracePeriodSeconds?: number };
  const grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? DEFAULT_POD_GRACE_SECONDS;
  const deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const rv = options.preconditions?.resourceVersion ?? pod.metadata.resourceVersion;
  checkUid(type, pod, options);
  const metadata = {
    ...pod.metadata,
    resourceVersion: rv,
    deletionTimestamp,
    deletionGracePeriodSeconds: grace,
  };
  return call.ctx.store.update(type, { ...pod, metadata });
}

function markDeleting(call: Call, type: ResourceType, obj: KubeObject, options: DeleteOptions): KubeObject {
  if (obj.metadata.deletionTimestamp) return obj;
  checkUid(type, obj, options);
  const rv = options.preconditions?.resourceVersion ?? obj.metadata.resourceVersion;
  const metadata = {
    ...obj.metadata,
    resourceVersion: rv,
    deletionTimestamp: nowTimestamp(),
    deletionGracePeriodSeconds: 0,
  };
  return call.ctx.store.update(type, { ...obj, metadata });
}

function checkUid(type: ResourceType, obj: KubeObject, options: DeleteOptions): void {
  const uid = options.preconditions?.uid;
  if (uid && uid !== obj.metadata.uid) {
    throw conflict(
      type,
      obj.metadata.name,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  }
}

function deleteNamespaceContents(call: Call, namespace: string): void {
  const { store } = call.ctx;
  for (const type of RESOURCE_TYPES) {
    if (!type.namespaced) continue;
    for (const obj of store.list(type, namespace).items) {
      try {
        store.delete(type, namespace, obj.metadata.name);
      } catch (err) {
        if (!(isApiError(err) && err.code === 404)) throw err;
      }
    }
  }
}

function orphanDependents(call: Call, owner: KubeObject): void {
  const { store } = call.ctx;
  const uid = owner.metadata.uid;
  for (const type of RESOURCE_TYPES) {
    for (const obj of store.list(type, owner.metadata.namespace).items) {
      const refs = obj.metadata.ownerReferences;
      if (!refs?.some((r) => r.uid === uid)) continue;
      const remaining = refs.filter((r) => r.uid !== uid);
      const metadata = { ...obj.metadata };
      if (remaining.length) metadata.ownerReferences = remaining;
      else delete metadata.ownerReferences;
      store.update(type, { ...obj, metadata });
    }
  }
}
