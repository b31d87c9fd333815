// Gateway API implementation of TrafficRouter: a Service per color (`<app>-blue`, `<app>-green`)
// and one HTTPRoute `<app>` attached to a Gateway (cutover's own, or the user's by reference).
// The route's default rule (PathPrefix / only) sends plain traffic to the live color; its test
// rule (the test cookie as a RegularExpression header match, or a header Exact match) sends
// testers to the color under test — it has more header matches, so the Gateway API's precedence
// puts it first wherever it sits in the list.
//
// What must stay true (make before break, as with Istio):
// - A color's Service exists before a rule names it, and is deleted only after no rule names it.
//   Only the color a deploy writes gets its Service brought to cutover.yaml (color-services.ts);
//   every rule names the port its color's Service has, so the live color never moves.
// - Every write carries the resourceVersion it was planned from; the switch of plain traffic is
//   ONE write of the HTTPRoute.
// - A route is trusted only once its controller accepted it: awaitAccepted reads
//   status.parents[].conditions (Accepted, ResolvedRefs) at the route's current generation and
//   fails with the controller's reason otherwise.
import { OperationFailedError, UnreachableError } from '../../errors.js';
import { refOf, type KubeClient, type KubeObject } from '../../kube/types.js';
import { parseIdentity, IDENTITY_HEADER } from '../identity.js';
import { readLastSwitch, switchAnnotations, switchChangesRecord } from '../switch-record.js';
import {
  isColor,
  type Color,
  type AcceptDeadline,
  type DataPlane,
  type LastSwitch,
  type LiveRoutes,
  type ObjectChange,
  type ObjectLookup,
  type RouteSummary,
  type SwitchInfo,
  type Teardown,
  type RouterStepNames,
  type TrafficRouter,
} from '../types.js';
import { planColorServices, portOf } from './color-services.js';
import { colorServiceName, httpRoute, rule, type RuleTarget } from './route-builder.js';
import { GATEWAY_API_VERSION, type GatewayApiSettings } from './settings.js';
import { re2Problem, testRegexProblem } from '../regex-check.js';

type Json = Record<string, unknown>;

export interface GatewayApiLive extends LiveRoutes {
  route?: KubeObject;
  services: Partial<Record<Color, KubeObject>>;
}

function rulesOf(route: KubeObject | undefined): Json[] {
  const r = (route?.spec as Json | undefined)?.rules;
  return Array.isArray(r) ? (r as Json[]) : [];
}

function isTestRule(r: Json): boolean {
  const matches = Array.isArray(r.matches) ? (r.matches as Json[]) : [];
  return matches.some((m) => Array.isArray(m.headers) && m.headers.length > 0);
}

export class GatewayApiRouter implements TrafficRouter {
  readonly kind = 'gateway-api';
  readonly stepNames: RouterStepNames = {
    ensure: (colors) =>
      `ensure ${this.settings.gateway ? 'Gateway and ' : ''}color ${colors.length > 1 ? 'Services' : 'Service'} ${colors
        .map((c) => colorServiceName(this.settings, c))
        .join(', ')}`,
    ensureColor: (color) => `ensure color Service ${colorServiceName(this.settings, color)}`,
    removeColor: (color) => `delete color Service ${colorServiceName(this.settings, color)}`,
  };
  constructor(readonly settings: GatewayApiSettings) {}

  /**
   * The HTTPRoute, then the color Services; after the workloads, the Gateway cutover created,
   * unless another HTTPRoute still attaches to it.
   */
  async teardown(kube: KubeClient, live: LiveRoutes): Promise<Teardown> {
    const l = live as GatewayApiLive;
    const s = this.settings;
    const gw = s.gateway ? live.gateway : undefined;
    const shared = gw ? await this.gatewayUsedElsewhere(kube) : false;
    return {
      beforeWorkloads: [
        { name: 'remove the routes', objects: l.route ? [l.route] : [] },
        {
          name: 'remove the color Services',
          objects: [l.services.blue, l.services.green].filter((o): o is KubeObject => !!o),
        },
      ],
      afterWorkloads: [{ name: 'delete the Gateway', objects: gw && !shared ? [gw] : [] }],
      kept: shared ? [`Gateway ${s.gatewayRef.namespace}/${s.gatewayRef.name} (shared)`] : [],
    };
  }

  /** True also when RBAC hides other namespaces' routes: a Gateway nobody can vouch for is kept. */
  private async gatewayUsedElsewhere(kube: KubeClient): Promise<boolean> {
    const s = this.settings;
    let items: KubeObject[];
    try {
      items = (await kube.list(GATEWAY_API_VERSION, 'HTTPRoute', '')).items;
    } catch (err) {
      if (err instanceof UnreachableError && /\(403/.test(err.message)) return true;
      throw err;
    }
    return items.some((r) => {
      if (r.metadata.name === s.routeName && r.metadata.namespace === s.namespace) return false;
      const parents = ((r.spec as Json | undefined)?.parentRefs ?? []) as Json[];
      return parents.some(
        (p) =>
          p.name === s.gatewayRef.name && (p.namespace ?? r.metadata.namespace) === s.gatewayRef.namespace,
      );
    });
  }

  /** The cookie regex goes into a `RegularExpression` header match: implementations compile RE2. */
  inputProblems() {
    const m = this.settings.testMatch;
    const why = m.type === 'cookie' ? re2Problem(m.regex) : undefined;
    return m.type === 'cookie' && why ? [testRegexProblem(m.regex, why)] : [];
  }

  routeObjectName(): string {
    return `HTTPRoute ${this.settings.namespace}/${this.settings.routeName}`;
  }

  async read(kube: KubeClient): Promise<GatewayApiLive> {
    const s = this.settings;
    const [route, blue, green, gateway] = await Promise.all([
      kube.getOptional({
        apiVersion: GATEWAY_API_VERSION,
        kind: 'HTTPRoute',
        name: s.routeName,
        namespace: s.namespace,
      }),
      kube.getOptional({
        apiVersion: 'v1',
        kind: 'Service',
        name: colorServiceName(s, 'blue'),
        namespace: s.namespace,
      }),
      kube.getOptional({
        apiVersion: 'v1',
        kind: 'Service',
        name: colorServiceName(s, 'green'),
        namespace: s.namespace,
      }),
      kube.getOptional({
        apiVersion: GATEWAY_API_VERSION,
        kind: 'Gateway',
        name: s.gatewayRef.name,
        namespace: s.gatewayRef.namespace,
      }),
    ]);
    return this.describe({ route, gateway, services: { blue, green } });
  }

  fromObjects(lookup: ObjectLookup): GatewayApiLive {
    const s = this.settings;
    return this.describe({
      route: lookup('HTTPRoute', s.routeName),
      gateway: s.gatewayRef.namespace === s.namespace ? lookup('Gateway', s.gatewayRef.name) : undefined,
      services: {
        blue: lookup('Service', colorServiceName(s, 'blue')),
        green: lookup('Service', colorServiceName(s, 'green')),
      },
    });
  }

  routeSummary(live: LiveRoutes): RouteSummary[] {
    return rulesOf((live as GatewayApiLive).route).map((r) => ({
      name: isTestRule(r) ? 'test' : 'default',
      color: this.ruleTarget(r)?.color ?? null,
      match: isTestRule(r),
    }));
  }

  /** Pure: the live state of given objects. */
  describe(o: {
    route?: KubeObject;
    gateway?: KubeObject;
    services: Partial<Record<Color, KubeObject>>;
  }): GatewayApiLive {
    const subsets = (['blue', 'green'] as const).filter((c) => o.services[c] !== undefined);
    return {
      ...o,
      activeColor: this.ruleTarget(rulesOf(o.route).find((r) => !isTestRule(r)))?.color,
      testColor: this.ruleTarget(rulesOf(o.route).find(isTestRule))?.color,
      subsets,
      objects: [o.gateway, o.route, o.services.blue, o.services.green].filter((x): x is KubeObject => !!x),
    };
  }

  private ruleTarget(r: Json | undefined): RuleTarget | undefined {
    if (!r) return undefined;
    const refs = (Array.isArray(r.backendRefs) ? r.backendRefs : []) as Json[];
    const best = [...refs].sort((a, b) => Number(b.weight ?? 1) - Number(a.weight ?? 1))[0];
    const color = (['blue', 'green'] as const).find((c) => best?.name === colorServiceName(this.settings, c));
    if (!isColor(color)) return undefined;
    const filters = (Array.isArray(r.filters) ? r.filters : []) as Json[];
    const set = filters.flatMap((f) => ((f.responseHeaderModifier as Json | undefined)?.set ?? []) as Json[]);
    const identity = parseIdentity(set.find((h) => h.name === IDENTITY_HEADER)?.value as string | undefined);
    return { color, release: identity?.release };
  }

  lastSwitch(live: LiveRoutes): LastSwitch {
    return readLastSwitch(this.settings.annotationPrefix, (live as GatewayApiLive).route, live.activeColor);
  }

  planEnsure(live: LiveRoutes, colors: Color[], written?: Color): ObjectChange[] {
    const l = live as GatewayApiLive;
    const gw = this.settings.gateway;
    return [
      ...(gw && !l.gateway
        ? [{ action: 'create' as const, ...refOf(gw), reason: 'create the Gateway', object: gw }]
        : []),
      ...planColorServices(this.settings, l.services ?? {}, colors, written),
    ];
  }

  planTestTraffic(live: LiveRoutes, color: Color, release?: string): ObjectChange[] {
    const l = live as GatewayApiLive;
    const keepDefault = rulesOf(l.route).find((r) => !isTestRule(r));
    const port = portOf(l.services?.[color]);
    const next = [
      rule(this.settings, 'test', { color, release, port }),
      ...(keepDefault ? [keepDefault] : []),
    ];
    return this.planRules(l, next, {}, `send testers to ${color}`);
  }

  planAllTraffic(live: LiveRoutes, color: Color, info: SwitchInfo): ObjectChange[] {
    const l = live as GatewayApiLive;
    const prefix = this.settings.annotationPrefix;
    const annotations = switchAnnotations(prefix, l.route, l.activeColor, color, info);
    // The color's Service may still have the port of an older cutover.yaml (its pods too).
    const port = portOf(l.services?.[color]);
    const next = [rule(this.settings, 'default', { color, release: info.release, port })];
    const same = JSON.stringify(rulesOf(l.route)) === JSON.stringify(next);
    if (same && !switchChangesRecord(prefix, l.route, annotations)) return [];
    const from = l.activeColor ? `from ${l.activeColor} ` : '';
    return this.planRules(l, next, annotations, `send all traffic ${from}to ${color}`, true);
  }

  planRemoveRoutes(live: LiveRoutes, color: Color): ObjectChange[] {
    const l = live as GatewayApiLive;
    const current = rulesOf(l.route);
    // The default rule is never removed here: moving plain traffic is planAllTraffic's job.
    const keep = current.filter((r) => !isTestRule(r) || this.ruleTarget(r)?.color !== color);
    if (keep.length === current.length) return [];
    return this.planRules(l, keep, {}, `remove the test rule to ${color}`);
  }

  planRemoveSubset(live: LiveRoutes, color: Color): ObjectChange[] {
    const svc = (live as GatewayApiLive).services?.[color];
    if (!svc) return [];
    return [
      {
        action: 'delete',
        ...refOf(svc),
        reason: `delete Service ${svc.metadata.name} (no rule names ${color})`,
        resourceVersion: svc.metadata.resourceVersion,
      },
    ];
  }

  private planRules(
    l: GatewayApiLive,
    next: unknown[],
    annotations: Record<string, string | null>,
    reason: string,
    force = false,
  ): ObjectChange[] {
    const route = l.route;
    if (!route) {
      const kept = Object.fromEntries(Object.entries(annotations).filter(([, v]) => v !== null)) as Record<
        string,
        string
      >;
      const object = httpRoute(this.settings, next, kept);
      return [{ action: 'create', ...refOf(object), reason: `create HTTPRoute: ${reason}`, object }];
    }
    if (!force && JSON.stringify(rulesOf(route)) === JSON.stringify(next)) return [];
    const metadata: Json = { resourceVersion: route.metadata.resourceVersion };
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    return [{ action: 'merge-patch', ...refOf(route), reason, patch: { metadata, spec: { rules: next } } }];
  }

  async dataPlane(kube: KubeClient, tester: boolean): Promise<DataPlane> {
    const s = this.settings;
    const headers: Record<string, string> = {};
    const host = s.hostnames.find((h) => !h.startsWith('*'));
    if (host) headers.host = host;
    if (tester) {
      if (s.testMatch.type === 'header') headers[s.testMatch.name] = s.testMatch.value;
      else headers.cookie = `${s.testMatch.name}=${s.testMatch.value}`;
    }
    if (s.url) return { url: s.url.replace(/\/$/, ''), headers };
    const gw = await kube.getOptional({
      apiVersion: GATEWAY_API_VERSION,
      kind: 'Gateway',
      name: s.gatewayRef.name,
      namespace: s.gatewayRef.namespace,
    });
    const address = ((gw?.status as Json | undefined)?.addresses as Json[] | undefined)?.[0]?.value;
    const listeners = ((gw?.spec as Json | undefined)?.listeners ?? []) as Json[];
    const listener = listeners.find((l) =>
      s.gatewayRef.sectionName ? l.name === s.gatewayRef.sectionName : l.protocol === 'HTTP',
    );
    if (typeof address !== 'string' || typeof listener?.port !== 'number') {
      return {
        headers,
        createdByCutover: !gw && s.gateway !== undefined,
        pending: gw !== undefined && typeof address !== 'string',
        unverified: `Gateway ${s.gatewayRef.namespace}/${s.gatewayRef.name} has no address in status.addresses (or no HTTP listener); set gatewayUrl in cutover.yaml to verify through it`,
      };
    }
    const hostPart = address.includes(':') ? `[${address}]` : address;
    return { url: `http://${hostPart}:${listener.port}`, headers };
  }

  async awaitAccepted(kube: KubeClient, deadline: AcceptDeadline): Promise<void> {
    const started = deadline.clock();
    let rejectedSince: number | undefined;
    for (;;) {
      const live = await this.read(kube);
      const verdict = routeVerdict(live.route, this.settings);
      const waitedMs = deadline.clock() - started;
      if (verdict.kind === 'accepted') return;
      if (verdict.kind === 'rejected') {
        // A controller whose cache has not seen a Service created a moment ago reports
        // BackendNotFound until it does: a rejection counts once it held for a moment.
        rejectedSince ??= deadline.clock();
        if (deadline.clock() - rejectedSince >= REJECTION_SETTLES_MS || waitedMs > deadline.timeoutMs)
          throw new RouteNotAcceptedError(this.routeObjectName(), verdict);
      } else {
        rejectedSince = undefined;
        if (waitedMs > deadline.timeoutMs) {
          throw new OperationFailedError(
            `${this.routeObjectName()}: no Gateway controller judged the route within ${Math.round(waitedMs / 1000)} s: ${verdict.missing}`,
            {
              remedy: `check that a controller serves the GatewayClass of Gateway ${this.settings.gatewayRef.namespace}/${this.settings.gatewayRef.name} (\`kubectl get gatewayclass\`: ACCEPTED True)`,
            },
          );
        }
      }
      await deadline.sleep(200);
    }
  }
}

/** How long a rejection must hold before cutover believes it (a controller's cache may lag). */
const REJECTION_SETTLES_MS = 1000;

/** The controller did not accept the route: its condition, reason and message, verbatim. */
export class RouteNotAcceptedError extends OperationFailedError {
  readonly condition: string;
  readonly reason: string;
  readonly controllerMessage: string;
  constructor(route: string, verdict: Extract<RouteVerdict, { kind: 'rejected' }>) {
    super(
      `${route}: the Gateway controller ${verdict.controller} did not accept it: ${verdict.condition}=False, reason ${verdict.reason}: ${verdict.message}`,
      {
        remedy:
          'fix what the reason names (a missing Service or port, a listener that does not allow the route), then run the command again',
      },
    );
    this.condition = verdict.condition;
    this.reason = verdict.reason;
    this.controllerMessage = verdict.message;
  }
}

export type RouteVerdict =
  | { kind: 'accepted' }
  /** `missing`: which condition cutover still waits for, in words. */
  | { kind: 'pending'; missing: string }
  | { kind: 'rejected'; controller: string; condition: string; reason: string; message: string };

/** What the controller said about the route's current generation, for our parent. */
export function routeVerdict(route: KubeObject | undefined, s: GatewayApiSettings): RouteVerdict {
  const gateway = `Gateway ${s.gatewayRef.namespace}/${s.gatewayRef.name}`;
  if (!route) return { kind: 'pending', missing: 'the HTTPRoute does not exist' };
  const generation = route.metadata.generation ?? 1;
  const parents = (((route.status as Json | undefined)?.parents ?? []) as Json[]).filter((p) => {
    const r = (p.parentRef ?? {}) as Json;
    return (
      r.name === s.gatewayRef.name && (r.namespace ?? route.metadata.namespace) === s.gatewayRef.namespace
    );
  });
  let missing = `status.parents has no entry for ${gateway} (condition Accepted missing)`;
  for (const p of parents) {
    const conditions = (p.conditions ?? []) as Json[];
    const current = conditions.filter(
      (c) => c.observedGeneration === undefined || c.observedGeneration === generation,
    );
    const accepted = current.find((c) => c.type === 'Accepted');
    if (!accepted) {
      const stale = conditions.find((c) => c.type === 'Accepted');
      missing = stale
        ? `the Accepted condition for ${gateway} is for generation ${String(stale.observedGeneration)}, the route is at generation ${generation}`
        : `status.parents for ${gateway} has no Accepted condition`;
      continue;
    }
    const resolved = current.find((c) => c.type === 'ResolvedRefs');
    const failed = [accepted, resolved].find((c) => c && c.status === 'False');
    if (failed)
      return {
        kind: 'rejected',
        controller: String(p.controllerName ?? ''),
        condition: String(failed.type),
        reason: String(failed.reason),
        message: String(failed.message ?? ''),
      };
    if (accepted.status === 'True' && (!resolved || resolved.status === 'True')) return { kind: 'accepted' };
  }
  return { kind: 'pending', missing };
}
