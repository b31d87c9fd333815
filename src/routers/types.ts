// The one interface the engine uses to move traffic. Implementations (istio.ts first) turn a
// wish — "test traffic to green", "all traffic to green", "forget blue" — into object changes.
// They never write: they read live state and return plans; the engine applies the plans, in
// order, and verifies through the gateway between the stages that need it (make before break).
import type { KubeClient, KubeObject } from '../kube/types.js';

import type { Color } from '../config/types.js';

export type { Color };
export { COLORS } from '../config/types.js';

export function otherColor(color: Color): Color {
  return color === 'blue' ? 'green' : 'blue';
}

export function isColor(value: unknown): value is Color {
  return value === 'blue' || value === 'green';
}

/** One write the engine will make. Plans are lists of these: pure data, printable by --dry-run. */
export interface ObjectChange {
  action: 'create' | 'replace' | 'merge-patch' | 'delete';
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** Why, in words: "add subset green", "point the default route at green". */
  reason: string;
  /** create/replace: the whole object (replace carries metadata.resourceVersion). */
  object?: KubeObject;
  /** merge-patch: the patch (carries metadata.resourceVersion when the write must be conditional). */
  patch?: Record<string, unknown>;
  /** delete: only if the object still has this resourceVersion. */
  resourceVersion?: string;
}

/** What the last switch of plain traffic recorded on the object that holds the live color. */
export interface LastSwitch {
  /** The color plain traffic was switched to. */
  color?: Color;
  release?: string;
  /** ISO time of the switch. */
  at?: string;
  /** `<operation>/<run id>` */
  by?: string;
  /** The color live before that switch (what a rollback returns to). */
  previousColor?: Color;
  previousRelease?: string;
}

/** An object the engine holds, by kind and name (in the app's namespace). */
export type ObjectLookup = (kind: string, name: string) => KubeObject | undefined;

export interface RouteSummary {
  name: string | null;
  color: string | null;
  /** The route matches testers only (a cookie or header match). */
  match: boolean;
}

/** How long awaitAccepted waits, on the engine's clock. */
export interface AcceptDeadline {
  timeoutMs: number;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** How the engine reaches the data plane to verify a switch. */
export interface DataPlane {
  /** Base URL, e.g. http://203.0.113.7:80; undefined when none is known (see `unverified`). */
  url?: string;
  /** Headers every probe sends (Host; for testers the test cookie or header). */
  headers: Record<string, string>;
  /** Why the data plane cannot be verified, said plainly to the user; set when `url` is not. */
  unverified?: string;
  /** The cutover.yaml field that sets this URL (default gatewayUrl), for remedies. */
  urlField?: string;
  /** The object that would give the address does not exist, e.g. `Service shop/cart-preview`. */
  missing?: string;
  /** No address yet, but cutover creates what will have one (its own Gateway): not an input error. */
  createdByCutover?: boolean;
  /** The object exists but its controller has not given it an address yet. */
  pending?: boolean;
  /**
   * No URL can reach it from here by design (e.g. a ClusterIP Service and no URL given): the
   * engine goes on and says plainly that the data plane was not verified, instead of failing.
   */
  unverifiable?: boolean;
  /**
   * The data plane balances connections, not requests (kube-proxy): a probe on a reused
   * keep-alive connection says where that connection went, not where a new user goes.
   */
  freshConnections?: boolean;
  /**
   * No proxy stamps who served: only the app can (x-cutover-served-by, or the color header). An
   * answer that names nobody counts when it is healthy; one that names someone must match.
   */
  unmarkedAnswers?: boolean;
}

/** What the engine wants the data plane to do, for awaitServing. */
export interface ServingTarget {
  color: Color;
  release?: string;
  /** Testers (the preview) rather than everyone. */
  tester: boolean;
}

/** The routing objects as they are in the cluster now. */
export interface LiveRoutes {
  gateway?: KubeObject;
  virtualService?: KubeObject;
  destinationRule?: KubeObject;
  /** The color of the default (catch-all, last) route: where every plain request goes. */
  activeColor?: Color;
  /** The color the test route (cookie/header match) sends testers to. */
  testColor?: Color;
  /** Colors that have a DestinationRule subset (Gateway API: a Service of their own). */
  subsets: Color[];
  /**
   * The router needs nothing per color (a Service selects pods directly): `subsets` lists both
   * colors always, and status does not report a color's subset as left behind.
   */
  subsetsImplicit?: boolean;
  /** Every object this router owns and read, for status, history and --dry-run. */
  objects?: KubeObject[];
}

export interface SwitchInfo {
  release?: string;
  /** When the switch is made (ISO); the drain window counts from it. */
  at: string;
  /** `<operation>/<run id>`: lets a re-run of the same CI job recognise its own switch. */
  by?: string;
}

/**
 * How a router names its steps in its own words, as users read them in the step log, status,
 * history and the dashboard. `undefined`: the router needs nothing at that point (a Service
 * selects pods directly), and the engine leaves the step out rather than show an empty one.
 */
export interface RouterStepNames {
  /** deploy, before testers are sent to the new color: what routing to it needs. */
  ensure(colors: Color[]): string | undefined;
  /** promote/rollback, before the switch: what routing to `color` needs. */
  ensureColor(color: Color): string | undefined;
  /** decommission, after no route names `color`: what the router kept for it alone. */
  removeColor(color: Color): string | undefined;
}

export interface TrafficRouter {
  readonly kind: string;
  /** The names of the steps that call planEnsure and planRemoveSubset. */
  readonly stepNames: RouterStepNames;
  /** Reads the gateway, routes and subsets. Missing objects are undefined, never errors. */
  read(kube: KubeClient): Promise<LiveRoutes>;
  /**
   * Gateway and DestinationRule subsets for these colors exist (adds, never removes).
   * `written`: the color whose workload this run has just written from cutover.yaml; what the
   * router keeps for it alone (a Gateway API color Service's port and selector) is brought to
   * cutover.yaml too. Other colors' objects are left as they are: their pods still run what an
   * earlier cutover.yaml said, and the live color's must not move under its users.
   */
  planEnsure(live: LiveRoutes, colors: Color[], written?: Color): ObjectChange[];
  /**
   * Testers go to `color`, whose answers name `release`; plain traffic stays where it is. Needs
   * the subset (planEnsure first).
   */
  planTestTraffic(live: LiveRoutes, color: Color, release?: string): ObjectChange[];
  /** Everyone goes to `color`, in one resourceVersion-checked write; the test route is dropped. */
  planAllTraffic(live: LiveRoutes, color: Color, info: SwitchInfo): ObjectChange[];
  /** Removes every route that names `color` (never the default route). */
  planRemoveRoutes(live: LiveRoutes, color: Color): ObjectChange[];
  /** Removes the subset of `color`; only after no route names it. */
  planRemoveSubset(live: LiveRoutes, color: Color): ObjectChange[];
  /**
   * Other apps' routes on the same gateway that claim this app's hosts, as the data plane
   * resolves them: `refuse` when the gateway would merge them in an undefined order, `warn` when
   * a more specific host takes some requests. Read-only. Optional: a router whose apps cannot
   * share a virtual host leaves it out.
   */
  readOverlaps?(kube: KubeClient): Promise<OverlapReport>;
  /** `HTTPRoute shop/cart`: the object whose state is the live color, for messages. */
  routeObjectName(): string;
  /** The live routes from objects the engine already holds (the same as read() would find). */
  fromObjects(lookup: ObjectLookup): LiveRoutes;
  /** The routes as `cutover status` lists them. */
  routeSummary(live: LiveRoutes): RouteSummary[];
  /** What the last switch recorded (who, which release, when, the color before). */
  lastSwitch(live: LiveRoutes): LastSwitch;
  /** How to reach the data plane; testers may get another URL (a preview Service). */
  dataPlane(kube: KubeClient, tester: boolean): Promise<DataPlane>;
  /**
   * After a write: waits until the controller has judged the routes at their current generation
   * and throws (with the controller's reason) when it rejected them. Routers whose data plane
   * reports nothing leave it out.
   */
  awaitAccepted?(kube: KubeClient, deadline: AcceptDeadline): Promise<void>;
  /**
   * After a write: waits until the data plane's own configuration sends the target's requests
   * to its color (a Service's endpoints are exactly that color's ready pods) and says so in
   * words; throws OperationFailedError at the deadline. For routers whose answers cannot say who
   * served (unmarkedAnswers), this is the proof that does not need the app's cooperation.
   */
  awaitServing?(kube: KubeClient, target: ServingTarget, deadline: AcceptDeadline): Promise<string>;
  /**
   * True for an object the router writes itself, which the builders or the user's manifests
   * must therefore not apply (the Service router owns the app's Service and its selector).
   */
  owns?(kind: string, name: string): boolean;
  /** What `cutover delete` removes of this router's objects, and in which order. Read-only. */
  teardown(kube: KubeClient, live: LiveRoutes): Promise<Teardown>;
  /** What the data plane would refuse in this router's input (e.g. a regex), before any request. */
  inputProblems?(): RouterInputProblem[];
}

/** One step of `cutover delete`: objects that go together. */
export interface TeardownStage {
  name: string;
  objects: KubeObject[];
}

/**
 * What `cutover delete` removes of a router's objects, in order: the stages before the workloads
 * go (the routes first, then what they name), and after (a Gateway). Objects other apps still use
 * are left out and listed in `kept` with why. The engine deletes only what cutover created.
 */
export interface Teardown {
  beforeWorkloads: TeardownStage[];
  afterWorkloads: TeardownStage[];
  kept: string[];
}

/** A problem with what cutover.yaml or the manifests folder asks of a router, found without a request. */
export interface RouterInputProblem {
  message: string;
  /** e.g. `testMatch.regex`, or `spec.http[myapp-test].match[0].headers.cookie.regex` in a manifest. */
  field: string;
  remedy: string;
  /** In the manifests folder rather than cutover.yaml. */
  inManifests?: boolean;
}

export interface OverlapReport {
  overlaps: RouteOverlap[];
  /** Set when the check could not see everything (e.g. RBAC allows one namespace): said as a warning. */
  narrowed?: string;
  /** Where this app's hosts are set, for the message of a refusal. */
  hostsField: string;
  /** The hosts are set in the manifests folder rather than cutover.yaml. */
  inManifests?: boolean;
}

export interface RouteOverlap {
  severity: 'refuse' | 'warn';
  /** The other object, e.g. `VirtualService shop/cart`. */
  other: string;
  gateway: string;
  host: string;
  message: string;
  remedy: string;
}
