// Other apps cutover manages in the namespaces the dashboard watches: found by the labels every
// Deployment cutover writes carries, shown read-only (acting on an app needs its cutover.yaml).
import { LABELS, MANAGED_BY } from '../manifests/types.js';
import type { KubeObject } from '../kube/types.js';
import type { Color, DiscoveredApp } from './wire.js';

export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

export function discoverApps(
  namespace: string,
  deployments: KubeObject[],
  known: Set<string>,
): DiscoveredApp[] {
  const byApp = new Map<string, DiscoveredApp>();
  for (const d of deployments) {
    const labels = d.metadata.labels ?? {};
    const app = labels[LABELS.app];
    const color = labels[LABELS.color];
    if (!app || (color !== 'blue' && color !== 'green')) continue;
    const id = `${namespace}/${app}`;
    if (known.has(id)) continue;
    const entry = byApp.get(id) ?? { id, namespace, app, colors: {} };
    const status = (d.status ?? {}) as { readyReplicas?: number };
    entry.colors[color as Color] = {
      deployment: d.metadata.name,
      release: labels[LABELS.release] ?? null,
      ready: status.readyReplicas ?? 0,
      replicas: (d.spec as { replicas?: number } | undefined)?.replicas ?? 1,
    };
    byApp.set(id, entry);
  }
  return [...byApp.values()].sort((a, b) => a.id.localeCompare(b.id));
}
