// Plans that make an object look as desired without fighting the server's defaults: only the
// fields cutover sets are compared (a Service's defaulted clusterIP or targetPort is no change).
import { refOf, type KubeObject } from '../kube/types.js';
import type { ObjectChange } from '../routers/types.js';
import { APPLIED_HASH } from './app-source.js';

/** True when every field of `want` is present in `have` with the same value. */
export function contains(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => contains(have[i], w));
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object') return false;
    return Object.entries(want).every(([k, v]) => contains((have as Record<string, unknown>)[k], v));
  }
  return have === want;
}

/** Create when missing; merge-patch the fields that differ, conditional on the version read. */
export function planEnsureObject(
  desired: KubeObject,
  live: KubeObject | undefined,
  namespace: string,
): ObjectChange[] {
  const object = {
    ...desired,
    metadata: { ...desired.metadata, namespace: desired.metadata.namespace ?? namespace },
  };
  const what = `${desired.kind} ${object.metadata.namespace}/${desired.metadata.name}`;
  if (!live) return [{ action: 'create', ...refOf(object, namespace), reason: `create ${what}`, object }];
  const { apiVersion: _a, kind: _k, metadata, ...body } = desired;
  const meta = { labels: metadata.labels, annotations: metadata.annotations };
  if (contains(live, body) && contains(live.metadata, JSON.parse(JSON.stringify(meta)))) return [];
  const patch = {
    ...body,
    metadata: { ...JSON.parse(JSON.stringify(meta)), resourceVersion: live.metadata.resourceVersion },
  };
  return [{ action: 'merge-patch', ...refOf(object, namespace), reason: `update ${what}`, patch }];
}

/**
 * A color's Deployment: created, or replaced whole (conditional on the version read) when what
 * cutover applied differs; the same hash means this release is already applied (re-runs converge).
 */
export function planDeployment(
  desired: KubeObject,
  live: KubeObject | undefined,
  namespace: string,
): ObjectChange[] {
  const object = { ...desired, metadata: { ...desired.metadata, namespace } };
  const what = `Deployment ${namespace}/${desired.metadata.name}`;
  if (!live) return [{ action: 'create', ...refOf(object, namespace), reason: `create ${what}`, object }];
  if (live.metadata.annotations?.[APPLIED_HASH] === desired.metadata.annotations?.[APPLIED_HASH]) return [];
  const replaced = {
    ...object,
    metadata: { ...object.metadata, resourceVersion: live.metadata.resourceVersion },
  };
  return [{ action: 'replace', ...refOf(object, namespace), reason: `replace ${what}`, object: replaced }];
}
