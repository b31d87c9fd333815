// The color's Kubernetes Secret as cutover writes it: the settings as `data` (base64), replaced
// whole so that a setting removed from the CI is removed from the Secret too. Pure.
import type { Color } from '../../config/types.js';
import type { KubeObject } from '../../kube/types.js';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cutover' };

export function encodeData(settings: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(settings).sort())
    out[key] = Buffer.from(settings[key], 'utf8').toString('base64');
  return out;
}

export function desiredSecret(
  target: { name: string; namespace: string; app: string; color: Color },
  settings: Record<string, string>,
  live?: KubeObject,
): KubeObject {
  const liveMeta = live?.metadata ?? { name: target.name };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      ...liveMeta,
      name: target.name,
      namespace: target.namespace,
      labels: { ...(liveMeta.labels ?? {}), ...MANAGED_BY, app: target.app, color: target.color },
    },
    type: (live?.type as string | undefined) ?? 'Opaque',
    data: encodeData(settings),
  };
}

/** Same keys and values (Secrets written with stringData come back as data). */
export function sameData(live: KubeObject | undefined, settings: Record<string, string>): boolean {
  if (!live) return false;
  const have = (live.data ?? {}) as Record<string, string>;
  const want = encodeData(settings);
  const keys = Object.keys(want);
  return keys.length === Object.keys(have).length && keys.every((k) => have[k] === want[k]);
}
