// Routing objects cutover.yaml would orphan. cutover's own objects for this app — labelled
// `app=<app>`, `app.kubernetes.io/managed-by=cutover`, or stamped with a switch record — that
// still send plain traffic to the app's pods but are not the object cutover.yaml now names
// (another manifests folder, another object name, another `router:`). Left alone, they keep
// serving users outside cutover's control: the routes cutover.yaml names say "nothing is live",
// promote moves only part of the users, and a deploy could start into a color users reach.
// Found in preflight and refused (exit 3) with the two ways forward: adopt them, or
// `cutover migrate`.
import type { Color } from '../config/types.js';
import type { KubeObject } from '../kube/types.js';
import { LABELS, MANAGED_BY } from '../manifests/types.js';
import type { PlainRoute } from '../routers/plain-traffic.js';
import { switchAnnotationKey } from '../routers/switch-record.js';
import { COLORS } from '../routers/types.js';
import { deploymentOf } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import type { Refusal } from './guards.js';
import { plainRoutesTo, podLabelsOf, RETIRED_ANNOTATION } from './live-color-guard.js';

export { RETIRED_ANNOTATION };

export interface OrphanedRoute extends PlainRoute {
  color: Color;
  object: KubeObject;
  /** Same kind as the object cutover.yaml names (a rename), or another router's (a move). */
  sameKind: boolean;
}

export function annotationPrefix(ctx: EngineContext): string {
  return ctx.source.settings.annotationPrefix;
}

/** `Kind ns/name` of the object whose state is the live color under cutover.yaml. */
function ownRoute(ctx: EngineContext): { kind: string; ref: string } {
  const ref = ctx.router.routeObjectName();
  return { kind: ref.split(' ')[0]!, ref };
}

function cutoversFor(ctx: EngineContext, obj: KubeObject): boolean {
  const labels = obj.metadata.labels ?? {};
  const ann = obj.metadata.annotations ?? {};
  const prefix = annotationPrefix(ctx);
  if (ann[`${prefix}/${RETIRED_ANNOTATION}`]) return false;
  return (
    (labels[LABELS.managedBy] === MANAGED_BY && labels[LABELS.app] === ctx.app) ||
    ann[switchAnnotationKey(prefix, 'switchedAt')] !== undefined
  );
}

function objectOf(ctx: EngineContext, view: ClusterView, r: PlainRoute): KubeObject | undefined {
  const routing = view.routing!;
  // cutover makes route objects in the app's namespace only: one elsewhere is someone else's.
  if (r.namespace !== routing.namespace) return undefined;
  const list = r.kind === 'Service' ? routing.services : (routing.objects.get(r.kind) ?? []);
  return list.find((o) => o.metadata.name === r.name);
}

/** The pods of `color` as they run, and as cutover labels them at the least. */
export function labelSets(ctx: EngineContext, view: ClusterView, color: Color) {
  return [podLabelsOf(deploymentOf(ctx, view, color)), { [LABELS.app]: ctx.app, [LABELS.color]: color }];
}

export function orphanedRoutes(ctx: EngineContext, view: ClusterView): OrphanedRoute[] {
  if (!view.routing) return [];
  const own = ownRoute(ctx);
  return COLORS.flatMap((color) =>
    plainRoutesTo(view.routing!, labelSets(ctx, view, color)).flatMap((r) => {
      if (`${r.kind} ${r.namespace}/${r.name}` === own.ref) return [];
      const object = objectOf(ctx, view, r);
      if (!object || !cutoversFor(ctx, object)) return [];
      return [{ ...r, color, object, sameKind: r.kind === own.kind }];
    }),
  );
}

/**
 * Refuses while objects cutover routed this app through still serve users and cutover.yaml no
 * longer names them. `explained`: objects another refusal already names (`Kind ns/name`).
 */
export function mustNotOrphanLiveRoutes(
  ctx: EngineContext,
  view: ClusterView,
  explained: string[] = [],
): Refusal | undefined {
  const orphans = orphanedRoutes(ctx, view).filter(
    (o) => !explained.includes(`${o.kind} ${o.namespace}/${o.name}`),
  );
  if (orphans.length === 0) return undefined;
  const own = ownRoute(ctx);
  const list = orphans.map((o) => `${o.kind} ${o.namespace}/${o.name} (${o.via}) → ${o.color}`).join('; ');
  const rename = orphans.every((o) => o.sameKind);
  const adopt = rename
    ? `adopt them: make cutover.yaml name ${orphans.map((o) => `${o.kind} ${o.name}`).join(', ')} again`
    : `set \`router:\` back to what it was`;
  return {
    objects: orphans.map((o) => `${o.kind} ${o.namespace}/${o.name}`),
    message: `cutover.yaml names ${own.ref} for app ${ctx.app}, but users are still served through ${list}, which cutover made and cutover.yaml no longer names. Going on would leave ${orphans.length === 1 ? 'it' : 'them'} serving users outside cutover's control; nothing was written.`,
    remedy: `${adopt}, or move the live routing to ${own.ref} with \`cutover migrate\` (docs/live-color.md)`,
  };
}
