// The live-color guard, asked of the data plane: before cutover writes a color's workload, it
// lists every routing object of the namespace and refuses when any of them sends plain traffic
// to the pods that workload runs now or would run. cutover's own names are not trusted for this:
// after a change of cutover.yaml (a manifests folder with other route names, say) its
// own objects may say "nothing is live" while users are served by the old ones.
import type { Color } from '../config/types.js';
import type { KubeObject } from '../kube/types.js';
import { NotFoundError } from '../kube/errors.js';
import { UnreachableError } from '../errors.js';
import { PLAIN_TRAFFIC_FINDERS } from '../routers/plain-traffic-finders.js';
import type { NamespaceRouting, PlainRoute, PlainTrafficFinder } from '../routers/plain-traffic.js';
import { otherColor } from '../routers/types.js';
import type { EngineContext } from './context.js';
import type { Refusal } from './guards.js';

/** One finder per kind of routing object cutover knows: mesh routes, HTTPRoutes, Service selectors. */
const FINDERS: PlainTrafficFinder[] = PLAIN_TRAFFIC_FINDERS;

/**
 * Lists what the finders need: the namespace's Services, and each route kind once, across all
 * namespaces (routes elsewhere may name this namespace's Services). Where RBAC refuses the
 * cluster-wide list (403), the kind is listed in the namespace alone and `notChecked` says so:
 * the guard goes on with what it may see, and its messages say what it did not. A kind the
 * server does not serve (no mesh CRDs) has no objects; any other failure propagates: a guard
 * that cannot see its own namespace must not pass. `otherNamespaces: false` (status, which
 * reports the app's own objects only) lists the namespace alone.
 */
export async function readNamespaceRouting(
  ctx: EngineContext,
  options: { otherNamespaces?: boolean } = {},
): Promise<NamespaceRouting> {
  const kinds = FINDERS.flatMap((f) => f.kinds);
  const scope = options.otherNamespaces === false ? ctx.namespace : '';
  const { namespace } = ctx;
  const forbidden = new Set<string>();
  const listOf = async (apiVersion: string, kind: string, ns: string): Promise<KubeObject[]> => {
    try {
      return (await ctx.kube.list(apiVersion, kind, ns)).items;
    } catch (err) {
      if (err instanceof NotFoundError) return [];
      if (ns === '' && isForbidden(err)) {
        forbidden.add(kind);
        return listOf(apiVersion, kind, namespace);
      }
      throw err;
    }
  };
  const [services, ...lists] = await Promise.all([
    listOf('v1', 'Service', namespace),
    ...kinds.map((k) => listOf(k.apiVersion, k.kind, scope)),
  ]);
  const objects = new Map<string, KubeObject[]>();
  const elsewhere = new Map<string, KubeObject[]>();
  kinds.forEach((k, i) => {
    const items = lists[i]!;
    objects.set(
      k.kind,
      items.filter((o) => (o.metadata.namespace ?? namespace) === namespace),
    );
    elsewhere.set(
      k.kind,
      items.filter((o) => (o.metadata.namespace ?? namespace) !== namespace),
    );
  });
  const routing: NamespaceRouting = { namespace, objects, elsewhere, services };
  const unseen = kinds.filter((k) => forbidden.has(k.kind)).map((k) => `${k.kind}s`);
  if (unseen.length)
    routing.notChecked = `other namespaces were not checked for ${unseen.join(', ')} that route to namespace ${namespace} (listing them in all namespaces is forbidden to these credentials)`;
  routing.routedServices = new Set(FINDERS.flatMap((f) => f.backends?.(routing) ?? []));
  return routing;
}

/** The API server refused the request for these credentials (RBAC): 403. */
function isForbidden(err: unknown): boolean {
  return err instanceof UnreachableError && /\(403/.test(err.message);
}

/**
 * The Services the app's own router made besides its route object (Gateway API color Services,
 * the preview Service) are backends: users reach them through the route, which the finders
 * judge. Counted as routed, so a Service an older cutover made without SERVES_LABEL is not
 * taken for a selector switch (one exposed by itself still is).
 */
export function addOwnBackends(ctx: EngineContext, routing: NamespaceRouting, own: KubeObject[]): void {
  const route = ctx.router.routeObjectName();
  routing.routedServices ??= new Set();
  for (const o of own)
    if (o.kind === 'Service' && `Service ${ctx.namespace}/${o.metadata.name}` !== route)
      routing.routedServices.add(o.metadata.name);
}

export function podLabelsOf(dep: KubeObject | undefined): Record<string, string> | undefined {
  const spec = dep?.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
  return spec?.template?.metadata?.labels;
}

/** Annotation (under cutover's prefix) `cutover migrate` puts on old objects users reach elsewhere. */
export const RETIRED_ANNOTATION = 'retired-by';

/** The object of a finding carries the retired mark of `cutover migrate`. */
export function retiredBy(ctx: EngineContext, routing: NamespaceRouting, r: PlainRoute): string | undefined {
  if (r.namespace !== routing.namespace) return undefined;
  const list = r.kind === 'Service' ? routing.services : (routing.objects.get(r.kind) ?? []);
  const obj = list.find((o) => o.metadata.name === r.name);
  return obj?.metadata.annotations?.[`${ctx.source.settings.annotationPrefix}/${RETIRED_ANNOTATION}`];
}

/** Every routing object sending plain traffic to pods with any of these label sets. */
export function plainRoutesTo(
  routing: NamespaceRouting,
  labelSets: Array<Record<string, string> | undefined>,
): PlainRoute[] {
  const seen = new Map<string, PlainRoute>();
  for (const labels of labelSets) {
    if (!labels) continue;
    for (const finder of FINDERS)
      for (const r of finder.find(routing, labels)) seen.set(`${r.kind}/${r.name}`, r);
  }
  return [...seen.values()];
}

/**
 * Refuses a write to `color`'s Deployment while plain traffic reaches its pods — the ones it
 * runs (`live`) or the ones the write would start (`desired`).
 */
export function mustNotServeUsers(
  ctx: EngineContext,
  routing: NamespaceRouting | undefined,
  color: Color,
  deployments: { live?: KubeObject; desired?: KubeObject },
  doing: 'deploy into' | 'delete',
): Refusal | undefined {
  // Views built by hand (plan tests) carry no routing; every operation reads it.
  if (!routing) return undefined;
  const routes = plainRoutesTo(routing, [podLabelsOf(deployments.live), podLabelsOf(deployments.desired)]);
  if (routes.length === 0) return undefined;
  const name = ctx.source.deploymentName(color);
  const list = routes.map((r) => `${r.kind} ${r.namespace}/${r.name} (${r.via})`).join('; ');
  const own = ctx.router.routeObjectName();
  const retired = routes.filter((r) => retiredBy(ctx, routing, r));
  const foreign = routes.filter((r) => `${r.kind} ${r.namespace}/${r.name}` !== own && !retired.includes(r));
  const moveFirst = retired.length
    ? `${retired.map((r) => `${r.kind} ${r.name}`).join(', ')} ${retired.length === 1 ? 'was' : 'were'} retired by \`cutover migrate\`: once the users who reach ${retired.length === 1 ? 'it' : 'them'} have moved to ${own}, delete ${retired.length === 1 ? 'it' : 'them'} (${retired.map((r) => `kubectl delete ${r.kind.toLowerCase()} ${r.name} -n ${r.namespace}`).join('; ')}); `
    : '';
  const adopt = foreign.length
    ? `if cutover.yaml now names other routing objects than the ones serving users, make it name ${foreign
        .map((r) => `${r.kind} ${r.name}`)
        .join(
          ', ',
        )} again (adopt them), or move the live routing to the new objects with \`cutover migrate\` (docs/live-color.md); `
    : '';
  return {
    objects: routes.map((r) => `${r.kind} ${r.namespace}/${r.name}`),
    message: `Deployment ${ctx.namespace}/${name}: plain traffic reaches the ${color} pods through ${list}. Refusing to ${doing} a color that serves users; nothing was written.${routing.notChecked ? ` (Also, ${routing.notChecked}.)` : ''}`,
    remedy: `${moveFirst}${adopt}${
      doing === 'deploy into'
        ? `deploy into ${otherColor(color)} instead (--color ${otherColor(color)}), or move plain traffic off ${color} first`
        : `move plain traffic off ${color} first`
    } (\`cutover status\` shows where cutover's own route sends it)`,
  };
}

const warned = new WeakSet<object>();

/** Says once per run that the guard saw this namespace's routes only (RBAC), never failing for it. */
export function warnNotChecked(ctx: EngineContext, routing: NamespaceRouting | undefined): void {
  if (!routing?.notChecked || warned.has(ctx.deps)) return;
  warned.add(ctx.deps);
  ctx.deps.log.warn(
    `live-color guard: ${routing.notChecked}; routes there that send users to this namespace's Services are not seen (grant list on them cluster-wide to check, docs/live-color.md)`,
  );
}
