// cutover migrate: move an app's live routing from the objects an earlier cutover.yaml made
// (orphaned-routes.ts) to the objects cutover.yaml names now, make before break:
//   1. the new objects' prerequisites, then ONE write that sends every plain request to the color
//      the old objects serve, carrying their switch record (so rollback keeps its target);
//      accepted by its controller and verified through the data plane;
//   2. same kind of object (a rename on the same data plane): the old route objects are deleted
//      (conditional on their resourceVersion), plain traffic is verified again, and only then the
//      old objects that went with them (subset definitions) are deleted. Both generations route
//      every plain request to the same pods, so whichever one the data plane prefers meanwhile,
//      users get the live color;
//   3. another router (another data plane, reached at another address): users reach the old
//      objects by DNS or a load balancer cutover does not control, so nothing old is deleted. The
//      old objects are marked retired (the preflight stops reporting them; the live-color guard
//      still protects the color they serve) and the result says what is left to do by hand.
import type { Color } from '../config/types.js';
import { GuardError } from '../errors.js';
import { LABELS, MANAGED_BY } from '../manifests/types.js';
import type { ObjectChange } from '../routers/types.js';
import { switchAnnotationKey } from '../routers/switch-record.js';
import { colorStateOf, readAppState, routesOf } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { mustBeReady, mustExist, refuse } from './guards.js';
import { locked, type OperationInput } from './operation.js';
import {
  annotationPrefix,
  orphanedRoutes,
  RETIRED_ANNOTATION,
  type OrphanedRoute,
} from './orphaned-routes.js';
import { guardsFirst } from './preflight.js';
import { ciRunId } from './release-id.js';
import { runSteps, type Step, type StepRecord } from './steps.js';
import { probe, VERIFY_STREAK } from './switch.js';

export type MigrateInput = OperationInput;

export interface MigrateResult {
  operation: 'migrate';
  app: string;
  namespace: string;
  /** The live color moved, or null when there was nothing to migrate. */
  color: Color | null;
  release: string | null;
  /** The old route objects (`Kind ns/name`). */
  from: string[];
  /** The object cutover.yaml names. */
  to: string;
  deleted: string[];
  retired: string[];
  /** What is left to do by hand (another data plane), or null. */
  manual: string | null;
  dryRun: boolean;
  steps: StepRecord[];
  durationMs: number;
}

const ref = (o: { kind: string; namespace: string; name: string }) => `${o.kind} ${o.namespace}/${o.name}`;

export async function migrate(ctx: EngineContext, input: MigrateInput): Promise<MigrateResult> {
  await guardsFirst(ctx, async (dry) => migrateOnView(dry, await readAppState(dry, { routing: true })));
  const view = await readAppState(ctx, { routing: true });
  if (orphanedRoutes(ctx, view).length === 0 || ctx.dryRun) return migrateOnView(ctx, view);
  const release = colorStateOf(ctx, view, orphanedRoutes(ctx, view)[0]!.color).release;
  return locked(ctx, { operation: 'migrate', release }, input, async () => {
    const result = await migrateOnView(ctx, await readAppState(ctx, { routing: true }));
    const detail = `from ${result.from.join(', ')} to ${result.to}${result.deleted.length ? `; deleted ${result.deleted.join(', ')}` : ''}${result.retired.length ? `; retired ${result.retired.join(', ')}` : ''}`;
    return { result, outcome: { color: result.color ?? undefined, detail } };
  });
}

export async function migrateOnView(ctx: EngineContext, view: ClusterView): Promise<MigrateResult> {
  const orphans = orphanedRoutes(ctx, view);
  const base = {
    operation: 'migrate' as const,
    app: ctx.app,
    namespace: ctx.namespace,
    to: ctx.router.routeObjectName(),
    dryRun: ctx.dryRun,
    durationMs: 0,
  };
  const none = { color: null, release: null, from: [], deleted: [], retired: [], manual: null, steps: [] };
  if (orphans.length === 0) return { ...base, ...none };
  const color = mustMoveOneColor(ctx, view, orphans);
  const s = colorStateOf(ctx, view, color);
  refuse(
    mustExist(ctx, s, 'the old routes send users to a color without a Deployment; fix the routes first'),
  );
  refuse(mustBeReady(ctx, s));
  const sameKind = orphans.every((o) => o.sameKind);
  const companions = sameKind ? companionsOf(ctx, view, orphans) : [];
  const steps = [
    ...makeSteps(ctx, view, color, s.release, orphans),
    ...(sameKind ? breakSteps(ctx, color, s.release, orphans, companions) : retireSteps(ctx, orphans)),
  ];
  const records = await runSteps(ctx, 'migrate', steps, view);
  const from = [...new Set(orphans.map(ref))];
  return {
    ...base,
    color,
    release: s.release ?? null,
    from,
    deleted: sameKind ? [...from, ...companions.map(ref)] : [],
    retired: sameKind ? [] : from,
    manual: sameKind
      ? null
      : `users who reach ${from.join(', ')} through the old data plane stay on ${color}: move them to ${base.to} (DNS or your load balancer), wait out their keep-alive, then delete the old objects (${orphans.map((o) => `kubectl delete ${o.kind.toLowerCase()} ${o.name} -n ${o.namespace}`).join('; ')})`,
    steps: records,
  };
}

/** The old objects must agree on one live color, and the new route must not say another. */
function mustMoveOneColor(ctx: EngineContext, view: ClusterView, orphans: OrphanedRoute[]): Color {
  const colors = [...new Set(orphans.map((o) => o.color))];
  const active = routesOf(ctx, view).activeColor;
  if (colors.length > 1 || (active && active !== colors[0])) {
    throw new GuardError(
      `${ctx.router.routeObjectName()}: the old routes send users to ${colors.join(' and ')}${active && active !== colors[0] ? ` while it sends them to ${active}` : ''}; there is no one live color to move.`,
      {
        remedy:
          'make the old objects agree on one color (or delete the one that should not serve), then run `cutover migrate` again',
      },
    );
  }
  return colors[0]!;
}

/**
 * What rollback returns to, from the old object's switch record, under cutover.yaml's keys. The
 * release and the time are the new write's own (the release is what the live Deployment runs).
 */
function oldRecord(ctx: EngineContext, orphans: OrphanedRoute[]): Record<string, string> {
  const prefix = annotationPrefix(ctx);
  const ann = orphans.find((o) => o.object.metadata.annotations)?.object.metadata.annotations ?? {};
  const out: Record<string, string> = {};
  for (const key of ['previousColor', 'previousRelease'] as const) {
    const value = ann[switchAnnotationKey(prefix, key)];
    if (value !== undefined) out[switchAnnotationKey(prefix, key)] = value;
  }
  return out;
}

/** The new route's write carries the old record (what rollback returns to), not "no previous". */
function withRecord(changes: ObjectChange[], record: Record<string, string>): ObjectChange[] {
  return changes.map((c) => {
    if (c.object) {
      const metadata = { ...c.object.metadata, annotations: { ...c.object.metadata.annotations, ...record } };
      return { ...c, object: { ...c.object, metadata } };
    }
    if (c.patch) {
      const metadata = (c.patch.metadata ?? {}) as { annotations?: Record<string, string | null> };
      return {
        ...c,
        patch: { ...c.patch, metadata: { ...metadata, annotations: { ...metadata.annotations, ...record } } },
      };
    }
    return c;
  });
}

function makeSteps(
  ctx: EngineContext,
  view: ClusterView,
  color: Color,
  release: string | undefined,
  orphans: OrphanedRoute[],
): Step[] {
  const { router } = ctx;
  const to = router.routeObjectName();
  const record = oldRecord(ctx, orphans);
  const by = `migrate/${ciRunId(ctx.deps.env) ?? ''}`;
  return [
    {
      name: `ensure what ${to} needs for ${color}`,
      plan: (v) => router.planEnsure(routesOf(ctx, v), [color]),
    },
    {
      name: `send all traffic to ${color} through ${to}`,
      plan: (v) =>
        withRecord(
          router.planAllTraffic(routesOf(ctx, v), color, {
            release,
            by,
            at: new Date(ctx.deps.clock()).toISOString(),
          }),
          record,
        ),
      routes: true,
      describe: `probe plain requests until ${VERIFY_STREAK} in a row come from ${color}`,
      run: async () => {
        const r = await probe(ctx, color, release, false, VERIFY_STREAK);
        return `plain traffic reaches ${color} (${r.requests} probes; the old routes still serve it too)`;
      },
    },
  ];
}

function breakSteps(
  ctx: EngineContext,
  color: Color,
  release: string | undefined,
  orphans: OrphanedRoute[],
  companions: OrphanedObject[],
): Step[] {
  const routes = [...new Map(orphans.map((o) => [ref(o), o])).values()];
  return [
    {
      name: `delete ${routes.map(ref).join(', ')}`,
      plan: () =>
        routes.map((o) =>
          deletion(
            o,
            `delete the old ${o.kind} (make before break: ${ctx.router.routeObjectName()} serves ${color})`,
          ),
        ),
      describe: `probe plain requests until ${VERIFY_STREAK} in a row come from ${color}`,
      run: async () => {
        const r = await probe(ctx, color, release, false, VERIFY_STREAK);
        return `plain traffic reaches ${color} through ${ctx.router.routeObjectName()} alone (${r.requests} probes)`;
      },
    },
    ...(companions.length
      ? [
          {
            name: `delete ${companions.map(ref).join(', ')}`,
            plan: () =>
              companions.map((o) => deletion(o, `delete the old ${o.kind}: no old route is left to use it`)),
          },
        ]
      : []),
  ];
}

function retireSteps(ctx: EngineContext, orphans: OrphanedRoute[]): Step[] {
  const key = `${annotationPrefix(ctx)}/${RETIRED_ANNOTATION}`;
  const by = `migrate/${ciRunId(ctx.deps.env) ?? ''} to ${ctx.router.routeObjectName()}`;
  const routes = [...new Map(orphans.map((o) => [ref(o), o])).values()];
  return [
    {
      name: `mark ${routes.map(ref).join(', ')} retired`,
      plan: () =>
        routes.map((o) => ({
          action: 'merge-patch' as const,
          apiVersion: o.object.apiVersion,
          kind: o.kind,
          namespace: o.namespace,
          name: o.name,
          reason: `mark the old ${o.kind} retired: users reach it through another data plane`,
          patch: {
            metadata: { resourceVersion: o.object.metadata.resourceVersion, annotations: { [key]: by } },
          },
        })),
    },
  ];
}

interface OrphanedObject {
  kind: string;
  namespace: string;
  name: string;
  object: OrphanedRoute['object'];
}

/** The other objects cutover made for this app's old routes (subset definitions…) that cutover.yaml no longer names. */
function companionsOf(ctx: EngineContext, view: ClusterView, orphans: OrphanedRoute[]): OrphanedObject[] {
  const own = new Set((routesOf(ctx, view).objects ?? []).map((o) => `${o.kind}/${o.metadata.name}`));
  const old = new Set(orphans.map((o) => `${o.kind}/${o.name}`));
  const out: OrphanedObject[] = [];
  for (const [kind, list] of view.routing?.objects ?? []) {
    for (const object of list) {
      const key = `${kind}/${object.metadata.name}`;
      const labels = object.metadata.labels ?? {};
      if (own.has(key) || old.has(key)) continue;
      if (labels[LABELS.managedBy] !== MANAGED_BY || labels[LABELS.app] !== ctx.app) continue;
      if (orphans.some((o) => o.kind === kind)) continue; // another route of the same kind: not a companion
      out.push({ kind, namespace: ctx.namespace, name: object.metadata.name, object });
    }
  }
  return out;
}

function deletion(o: OrphanedObject | OrphanedRoute, reason: string): ObjectChange {
  return {
    action: 'delete',
    apiVersion: o.object.apiVersion,
    kind: o.kind,
    namespace: o.namespace,
    name: o.name,
    reason,
    resourceVersion: o.object.metadata.resourceVersion,
  };
}
