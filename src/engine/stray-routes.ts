// Routing objects `cutover status` reports besides the ones cutover.yaml names: objects cutover
// made for the app that still send plain traffic to its pods but cutover.yaml no longer names
// (orphaned: deploy refuses until they are adopted or migrated), and objects `cutover migrate`
// marked retired (users may still reach them at the old data plane's address). Each comes with
// the fix, so an operator sees them without running a deploy. Pure over a view read with the
// namespace's routing objects (readNamespaceRouting: one list per kind, concurrent).
import type { Color } from '../config/types.js';
import type { KubeObject } from '../kube/types.js';
import { LABELS, MANAGED_BY } from '../manifests/types.js';
import { COLORS } from '../routers/types.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { plainRoutesTo } from './live-color-guard.js';
import { annotationPrefix, labelSets, orphanedRoutes, RETIRED_ANNOTATION } from './orphaned-routes.js';

export interface StrayRoute {
  /** `HTTPRoute default/myapp` */
  object: string;
  state: 'orphaned' | 'retired';
  /** The colors it sends plain traffic to (both, through a Service over both); empty when none. */
  colors: Color[];
  /** How, e.g. `route "myapp-default" → Service myapp, subset blue`. */
  via: string | null;
  /** Retired: what the mark says (`migrate/<run> to HTTPRoute default/myapp`). */
  retiredBy: string | null;
  fix: string;
}

export function strayRoutes(ctx: EngineContext, view: ClusterView): StrayRoute[] {
  const routing = view.routing;
  if (!routing) return [];
  const own = ctx.router.routeObjectName();
  const orphaned = new Map<string, StrayRoute>();
  for (const o of orphanedRoutes(ctx, view)) {
    const object = `${o.kind} ${o.namespace}/${o.name}`;
    const seen = orphaned.get(object);
    if (seen) {
      seen.colors.push(o.color);
      continue;
    }
    const adopt = o.sameKind
      ? `adopt it (make cutover.yaml name ${o.kind} ${o.name} again)`
      : 'set `router:` back to adopt it';
    orphaned.set(object, {
      object,
      state: 'orphaned',
      colors: [o.color],
      via: o.via,
      retiredBy: null,
      fix: `${adopt}, or move the live routing to ${own} with \`cutover migrate\`; until then deploy refuses (docs/live-color.md)`,
    });
  }
  const key = `${annotationPrefix(ctx)}/${RETIRED_ANNOTATION}`;
  const serving = new Map<string, { colors: Color[]; via: string }>();
  for (const color of COLORS)
    for (const r of plainRoutesTo(routing, labelSets(ctx, view, color))) {
      const ref = `${r.kind} ${r.namespace}/${r.name}`;
      const seen = serving.get(ref);
      if (seen) seen.colors.push(color);
      else serving.set(ref, { colors: [color], via: r.via });
    }
  const everything: KubeObject[] = [...[...routing.objects.values()].flat(), ...routing.services];
  const refOf = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ?? ctx.namespace}/${o.metadata.name}`;
  const retired: StrayRoute[] = everything
    .filter((o) => o.metadata.annotations?.[key] && (labelledForApp(ctx, o) || serving.has(refOf(o))))
    .map((o) => {
      const object = refOf(o);
      const s = serving.get(object);
      const del = `kubectl delete ${o.kind.toLowerCase()} ${o.metadata.name} -n ${o.metadata.namespace ?? ctx.namespace}`;
      return {
        object,
        state: 'retired',
        colors: s?.colors ?? [],
        via: s?.via ?? null,
        retiredBy: o.metadata.annotations![key]!,
        fix: s
          ? `once users reach ${own} instead, \`${del}\`; until then the guard counts ${s.colors.join(' and ')} as live`
          : `\`${del}\`: it sends no plain traffic to the app's pods`,
      };
    });
  return [...orphaned.values(), ...retired];
}

/** cutover's labels for this app (a retired object that serves the app's pods counts too). */
function labelledForApp(ctx: EngineContext, o: KubeObject): boolean {
  const labels = o.metadata.labels ?? {};
  return labels[LABELS.managedBy] === MANAGED_BY && labels[LABELS.app] === ctx.app;
}
