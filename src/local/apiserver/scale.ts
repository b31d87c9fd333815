// The scale subresource of Deployments and ReplicaSets: an autoscaling/v1 Scale view of
// spec.replicas (what `kubectl scale` reads and patches).
import { conflict, invalid, notFound } from '../store/api-error.js';
import type { KubeObject } from '../store/types.js';
import { recordUpdate, updateManager } from './patch/field-ownership.js';
import { isDryRun, respond, type Call } from './call.js';
import { readBody } from './http-io.js';
import { readObjectBody } from './handlers-write.js';
import { labelSelectorString } from './selector-string.js';

function stored(call: Call): KubeObject {
  const { route } = call;
  const obj = call.ctx.store.get(route.type, route.namespace, route.name!);
  if (!obj) throw notFound(route.type, route.name!);
  return obj;
}

export function toScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: unknown };
  const status = (obj.status ?? {}) as { replicas?: number };
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 1 },
    status: { replicas: status.replicas ?? 0, selector: labelSelectorString(spec.selector) },
  };
}

export function handleGetScale(call: Call): void {
  call.verb = 'GET';
  respond(call, 200, toScale(stored(call)));
}

export async function handleUpdateScale(call: Call): Promise<void> {
  call.verb = 'PUT';
  const body = await readObjectBody(call);
  setReplicas(call, stored(call), body as KubeObject);
}

export async function handlePatchScale(call: Call): Promise<void> {
  call.verb = 'PATCH';
  const contentType = call.req.headers['content-type'] ?? '';
  const body = await readBody(call.req);
  const current = stored(call);
  const scaleType = { ...call.route.type, kind: 'Scale', custom: false };
  const patched = call.ctx.modules.applyPatch(scaleType, toScale(current), body, contentType, {
    fieldManager: call.query.get('fieldManager') ?? undefined,
  });
  setReplicas(call, current, patched);
}

function setReplicas(call: Call, current: KubeObject, scale: KubeObject): void {
  const { route } = call;
  const wanted = scale.metadata?.resourceVersion;
  if (wanted && wanted !== current.metadata.resourceVersion) throw conflict(route.type, route.name!);
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (!Number.isInteger(replicas) || (replicas as number) < 0) {
    throw invalidScale(call, replicas);
  }
  const next = { ...current, spec: { ...(current.spec as object), replicas } };
  // The scale subresource's manager owns spec.replicas from now on (managedFields, subresource "scale").
  recordUpdate(
    route.type.kind,
    current,
    next,
    updateManager(call.query.get('fieldManager'), call.req.headers['user-agent']),
    route.group ? `${route.group}/${route.version}` : route.version,
    new Date(),
    'scale',
  );
  if (isDryRun(call)) {
    respond(call, 200, toScale(next));
    return;
  }
  respond(call, 200, toScale(call.ctx.store.update(route.type, next)));
}

function invalidScale(call: Call, replicas: unknown): Error {
  return invalid({ group: 'autoscaling', resource: 'scales', kind: 'Scale' }, call.route.name!, [
    {
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
      field: 'spec.replicas',
    },
  ]);
}
