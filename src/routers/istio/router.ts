// Istio implementation of TrafficRouter: one VirtualService whose LAST http entry is the default
// route (where plain traffic goes: the active color) and whose test entry (a cookie or header
// match) sends testers to the color under test; one DestinationRule with a subset per color.
//
// What must stay true (reference §1.9, make before break):
// - A subset is added to the DestinationRule before any route names it, and removed only after
//   no route names it. planEnsure adds; planRemoveSubset removes; the engine orders and verifies.
// - Every write carries the resourceVersion it was planned from (a merge patch with
//   metadata.resourceVersion), so a concurrent change makes it fail instead of being lost.
// - The switch of plain traffic is ONE write of the VirtualService.
// - Each route stamps the color that served in a response header, so the engine can verify.
// - Entries of the user's VirtualService that cutover does not manage keep their place.
import { refOf, type KubeClient, type KubeObject } from '../../kube/types.js';
import {
  isColor,
  type Color,
  type LiveRoutes,
  type ObjectChange,
  type DataPlane,
  type LastSwitch,
  type ObjectLookup,
  type OverlapReport,
  type RouteSummary,
  type SwitchInfo,
  type Teardown,
  type RouterStepNames,
  type TrafficRouter,
} from '../types.js';
import { formatIdentity, IDENTITY_HEADER } from '../identity.js';
import { readOverlaps } from './overlap.js';
import { readLastSwitch, switchAnnotationKey, type SwitchAnnotation } from '../switch-record.js';
import { ingressUrl } from './ingress.js';
import { istioInputProblems } from './input-checks.js';
import type { RouteSettings } from './settings.js';

const ISTIO_API = 'networking.istio.io/v1beta1';

type HttpRoute = Record<string, unknown> & {
  name?: string;
  match?: unknown[];
  route?: Array<{ destination?: { host?: string; subset?: string }; weight?: number }>;
};
type Subset = { name: string; labels?: Record<string, string> } & Record<string, unknown>;

export function annotationKey(settings: RouteSettings, key: SwitchAnnotation): string {
  return switchAnnotationKey(settings.annotationPrefix, key);
}

export function httpRoutes(vs: KubeObject | undefined): HttpRoute[] {
  const spec = (vs?.spec ?? {}) as { http?: HttpRoute[] };
  return Array.isArray(spec.http) ? spec.http : [];
}

export function subsetsOf(dr: KubeObject | undefined): Subset[] {
  const spec = (dr?.spec ?? {}) as { subsets?: Subset[] };
  return Array.isArray(spec.subsets) ? spec.subsets : [];
}

/** The subset that gets the most weight in a route (the only one, usually). */
function mainSubset(route: HttpRoute): string | undefined {
  const dests = route.route ?? [];
  const best = [...dests].sort((a, b) => (b.weight ?? 100) - (a.weight ?? 100))[0];
  return best?.destination?.subset;
}

function isCatchAll(route: HttpRoute): boolean {
  return !Array.isArray(route.match) || route.match.length === 0;
}

/** The default route is the last entry, if it matches everything (the seed's `.spec.http[-1]`). */
export function activeColorOf(vs: KubeObject | undefined): Color | undefined {
  const routes = httpRoutes(vs);
  const last = routes[routes.length - 1];
  if (!last || !isCatchAll(last)) return undefined;
  const subset = mainSubset(last);
  return isColor(subset) ? subset : undefined;
}

function isTestRoute(settings: RouteSettings, route: HttpRoute): boolean {
  return route.name === settings.routeNames.test;
}

export function testColorOf(settings: RouteSettings, vs: KubeObject | undefined): Color | undefined {
  const test = httpRoutes(vs).find((r) => isTestRoute(settings, r));
  const subset = test && mainSubset(test);
  return isColor(subset) ? subset : undefined;
}

export class IstioRouter implements TrafficRouter {
  readonly kind = 'istio';
  readonly stepNames: RouterStepNames = {
    ensure: () => 'ensure gateway and subsets',
    ensureColor: (color) => `ensure subset ${color}`,
    removeColor: (color) => `remove subset ${color}`,
  };
  constructor(readonly settings: RouteSettings) {}

  /** The VirtualService, then the DestinationRule; after the workloads, the Gateway no other VirtualService binds. */
  async teardown(kube: KubeClient, live: LiveRoutes): Promise<Teardown> {
    const gw = live.gateway;
    const shared = gw ? await this.gatewayBoundElsewhere(kube, gw) : false;
    const gwName = gw
      ? `Gateway ${gw.metadata.namespace ?? this.settings.namespace}/${gw.metadata.name}`
      : '';
    return {
      beforeWorkloads: [
        { name: 'remove the routes', objects: live.virtualService ? [live.virtualService] : [] },
        { name: 'remove the subsets', objects: live.destinationRule ? [live.destinationRule] : [] },
      ],
      afterWorkloads: [{ name: 'delete the Gateway', objects: gw && !shared ? [gw] : [] }],
      kept: shared ? [`${gwName} (shared)`] : [],
    };
  }

  private async gatewayBoundElsewhere(kube: KubeClient, gw: KubeObject): Promise<boolean> {
    const s = this.settings;
    const { items } = await kube.list(ISTIO_API, 'VirtualService', s.namespace);
    const ns = gw.metadata.namespace ?? s.namespace;
    return items.some((vs) => {
      if (vs.metadata.name === s.virtualServiceName) return false;
      const refs = ((vs.spec ?? {}) as { gateways?: string[] }).gateways ?? [];
      return refs.some((r) => r === gw.metadata.name || r === `${ns}/${gw.metadata.name}`);
    });
  }

  inputProblems() {
    return istioInputProblems(this.settings);
  }

  routeObjectName(): string {
    return `VirtualService ${this.settings.namespace}/${this.settings.virtualServiceName}`;
  }

  lastSwitch(live: LiveRoutes): LastSwitch {
    return readLastSwitch(this.settings.annotationPrefix, live.virtualService, live.activeColor);
  }

  fromObjects(lookup: ObjectLookup): LiveRoutes {
    const s = this.settings;
    return this.describe({
      virtualService: lookup('VirtualService', s.virtualServiceName),
      destinationRule: lookup('DestinationRule', s.destinationRuleName),
      gateway: s.gateway ? lookup('Gateway', s.gateway.metadata.name) : undefined,
    });
  }

  routeSummary(live: LiveRoutes): RouteSummary[] {
    return httpRoutes(live.virtualService).map((r) => ({
      name: r.name ?? null,
      color: r.route?.[0]?.destination?.subset ?? null,
      match: Array.isArray(r.match) && r.match.length > 0,
    }));
  }

  /** Istio's ingress as the seed finds it: istio-system/istio-ingressgateway's load-balancer address. */
  async dataPlane(kube: KubeClient, tester: boolean): Promise<DataPlane> {
    const headers: Record<string, string> = {};
    const host = this.settings.hosts.find((h) => h !== '*' && !h.startsWith('*.'));
    if (host) headers.host = host;
    if (tester) Object.assign(headers, this.settings.testHeaders);
    if (this.settings.url) return { url: this.settings.url.replace(/\/$/, ''), headers };
    const svc = await kube.getOptional({
      apiVersion: 'v1',
      kind: 'Service',
      name: 'istio-ingressgateway',
      namespace: 'istio-system',
    });
    const url = svc && ingressUrl(svc);
    return url
      ? { url, headers }
      : { headers, unverified: 'Service istio-system/istio-ingressgateway has no load-balancer address' };
  }

  async read(kube: KubeClient): Promise<LiveRoutes> {
    const s = this.settings;
    const ref = (kind: string, name: string) => ({
      apiVersion: ISTIO_API,
      kind,
      name,
      namespace: s.namespace,
    });
    const [virtualService, destinationRule, gateway] = await Promise.all([
      kube.getOptional(ref('VirtualService', s.virtualServiceName)),
      kube.getOptional(ref('DestinationRule', s.destinationRuleName)),
      s.gateway ? kube.getOptional(ref('Gateway', s.gateway.metadata.name)) : Promise.resolve(undefined),
    ]);
    return this.describe({ virtualService, destinationRule, gateway });
  }

  /** Pure: the LiveRoutes of given objects (used by read, and by tests without a cluster). */
  describe(objects: {
    virtualService?: KubeObject;
    destinationRule?: KubeObject;
    gateway?: KubeObject;
  }): LiveRoutes {
    const subsets = subsetsOf(objects.destinationRule)
      .map((x) => x.name)
      .filter(isColor);
    return {
      ...objects,
      objects: [objects.virtualService, objects.destinationRule, objects.gateway].filter(
        (o): o is KubeObject => o !== undefined,
      ),
      activeColor: activeColorOf(objects.virtualService),
      testColor: testColorOf(this.settings, objects.virtualService),
      subsets,
    };
  }

  planEnsure(live: LiveRoutes, colors: Color[]): ObjectChange[] {
    return [...this.planGateway(live), ...this.planSubsets(live, colors)];
  }

  planTestTraffic(live: LiveRoutes, color: Color, release?: string): ObjectChange[] {
    const others = this.unmanagedRoutes(live);
    const active = live.activeColor;
    // The live release is the one the last switch recorded; its route keeps naming it.
    const liveRelease = live.virtualService?.metadata.annotations?.[annotationKey(this.settings, 'release')];
    const http = [
      this.route('test', color, release),
      ...others,
      ...(active ? [this.route('default', active, liveRelease)] : []),
    ];
    return this.planRoutes(live, http, {}, `send testers to ${color}`);
  }

  planAllTraffic(live: LiveRoutes, color: Color, info: SwitchInfo): ObjectChange[] {
    const http = [...this.unmanagedRoutes(live), this.route('default', color, info.release)];
    const annotations = this.switchAnnotations(live, color, info);
    const from = live.activeColor ? `from ${live.activeColor} ` : '';
    return this.planRoutes(live, http, annotations, `send all traffic ${from}to ${color}`);
  }

  planRemoveRoutes(live: LiveRoutes, color: Color): ObjectChange[] {
    if (!live.virtualService) return [];
    const routes = httpRoutes(live.virtualService);
    const last = routes.length - 1;
    // The default route is never removed here: moving plain traffic is planAllTraffic's job.
    const keep = routes.filter((r, i) => (i === last && isCatchAll(r)) || mainSubset(r) !== color);
    if (keep.length === routes.length) return [];
    return this.planRoutes(live, keep, {}, `remove the routes to ${color}`);
  }

  async readOverlaps(kube: KubeClient): Promise<OverlapReport> {
    const s = this.settings;
    const { overlaps, scope } = await readOverlaps(kube, s);
    return {
      overlaps,
      narrowed:
        scope === 'namespace'
          ? `could not list VirtualServices in all namespaces (RBAC): host overlaps were checked in ${s.namespace} only`
          : undefined,
      hostsField: s.fromManifests ? `VirtualService ${s.virtualServiceName}: spec.hosts` : 'gateway.hosts',
      inManifests: s.fromManifests,
    };
  }

  planRemoveSubset(live: LiveRoutes, color: Color): ObjectChange[] {
    const dr = live.destinationRule;
    if (!dr || !subsetsOf(dr).some((x) => x.name === color)) return [];
    const subsets = subsetsOf(dr).filter((x) => x.name !== color);
    return [
      this.patch(
        dr,
        { spec: { subsets } },
        `remove subset ${color} from DestinationRule ${dr.metadata.name}`,
      ),
    ];
  }

  /** The managed route for a color, stamped with who serves: app, color, release (and the color alone). */
  route(which: 'test' | 'default', color: Color, release?: string): HttpRoute {
    const s = this.settings;
    const destination: Record<string, unknown> = { host: s.serviceHost, subset: color };
    if (s.servicePort) destination.port = { number: s.servicePort };
    return {
      name: s.routeNames[which],
      ...(which === 'test' ? { match: s.testMatch } : {}),
      route: [{ destination }],
      headers: {
        response: {
          set: {
            [s.colorHeader]: color,
            [IDENTITY_HEADER]: formatIdentity({ app: s.appId, color, release }),
          },
        },
      },
    };
  }

  private unmanagedRoutes(live: LiveRoutes): HttpRoute[] {
    const routes = httpRoutes(live.virtualService);
    const names = new Set([this.settings.routeNames.test, this.settings.routeNames.default]);
    const last = routes.length - 1;
    return routes.filter((r, i) => !(r.name && names.has(r.name)) && !(i === last && isCatchAll(r)));
  }

  private switchAnnotations(live: LiveRoutes, color: Color, info: SwitchInfo): Record<string, string | null> {
    const s = this.settings;
    const current = live.virtualService?.metadata.annotations ?? {};
    const out: Record<string, string | null> = { [annotationKey(s, 'switchedAt')]: info.at };
    out[annotationKey(s, 'release')] = info.release ?? null;
    out[annotationKey(s, 'switchedBy')] = info.by ?? null;
    if (live.activeColor && live.activeColor !== color) {
      out[annotationKey(s, 'previousColor')] = live.activeColor;
      out[annotationKey(s, 'previousRelease')] = current[annotationKey(s, 'release')] ?? null;
    }
    return out;
  }

  private planRoutes(
    live: LiveRoutes,
    http: HttpRoute[],
    annotations: Record<string, string | null>,
    reason: string,
  ): ObjectChange[] {
    const vs = live.virtualService;
    if (!vs) return [this.createVirtualService(http, annotations, reason)];
    const sameRoutes = JSON.stringify(httpRoutes(vs)) === JSON.stringify(http);
    const current = vs.metadata.annotations ?? {};
    const onlyTime = Object.keys(annotations).every(
      (k) =>
        k === annotationKey(this.settings, 'switchedAt') ||
        k === annotationKey(this.settings, 'switchedBy') ||
        (current[k] ?? null) === annotations[k],
    );
    if (sameRoutes && onlyTime) return [];
    const patch: Record<string, unknown> = { spec: { http } };
    if (Object.keys(annotations).length) patch.metadata = { annotations };
    return [this.patch(vs, patch, reason)];
  }

  private createVirtualService(
    http: HttpRoute[],
    annotations: Record<string, string | null>,
    reason: string,
  ): ObjectChange {
    const s = this.settings;
    const template = s.virtualServiceTemplate;
    const kept = Object.fromEntries(Object.entries(annotations).filter(([, v]) => v !== null)) as Record<
      string,
      string
    >;
    const object: KubeObject = {
      apiVersion: template?.apiVersion ?? ISTIO_API,
      kind: 'VirtualService',
      metadata: {
        ...(template?.metadata ?? {}),
        name: s.virtualServiceName,
        namespace: s.namespace,
        annotations: { ...(template?.metadata.annotations ?? {}), ...kept },
      },
      spec: { ...((template?.spec as object) ?? {}), hosts: s.hosts, gateways: s.gateways, http },
    };
    return { action: 'create', ...refOf(object), reason: `create VirtualService: ${reason}`, object };
  }

  private planGateway(live: LiveRoutes): ObjectChange[] {
    const desired = this.settings.gateway;
    if (!desired) return [];
    const object = { ...desired, metadata: { ...desired.metadata, namespace: this.settings.namespace } };
    if (!live.gateway) return [{ action: 'create', ...refOf(object), reason: 'create the Gateway', object }];
    if (JSON.stringify(live.gateway.spec) === JSON.stringify(desired.spec)) return [];
    return [this.patch(live.gateway, { spec: desired.spec }, 'update the Gateway to the configured servers')];
  }

  private planSubsets(live: LiveRoutes, colors: Color[]): ObjectChange[] {
    const s = this.settings;
    const want = (c: Color): Subset => ({ name: c, labels: { [s.colorLabel]: c } });
    const dr = live.destinationRule;
    if (!dr) {
      const t = s.destinationRuleTemplate;
      const object: KubeObject = {
        apiVersion: t?.apiVersion ?? ISTIO_API,
        kind: 'DestinationRule',
        metadata: { ...(t?.metadata ?? {}), name: s.destinationRuleName, namespace: s.namespace },
        spec: { ...((t?.spec as object) ?? {}), host: s.serviceHost, subsets: colors.map(want) },
      };
      return [
        {
          action: 'create',
          ...refOf(object),
          reason: `create DestinationRule with subsets ${colors.join(', ')}`,
          object,
        },
      ];
    }
    const current = subsetsOf(dr);
    const ok = (c: Color) => current.some((x) => x.name === c && x.labels?.[s.colorLabel] === c);
    const missing = colors.filter((c) => !ok(c));
    if (missing.length === 0) return [];
    const subsets = [...current.filter((x) => !missing.includes(x.name as Color)), ...missing.map(want)];
    return [
      this.patch(
        dr,
        { spec: { subsets } },
        `add subset ${missing.join(', ')} to DestinationRule ${dr.metadata.name}`,
      ),
    ];
  }

  private patch(obj: KubeObject, patch: Record<string, unknown>, reason: string): ObjectChange {
    const metadata = { ...((patch.metadata as object) ?? {}), resourceVersion: obj.metadata.resourceVersion };
    return {
      action: 'merge-patch',
      ...refOf(obj, this.settings.namespace),
      reason,
      patch: { ...patch, metadata },
    };
  }
}
