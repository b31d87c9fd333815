// Objects cutover applies, from two sources:
// (a) builders (src/manifests/build-*.ts): pure functions from CutoverConfig to objects;
// (b) a user's manifest folder (src/manifests/load-dir.ts): YAML parsed first, then $VAR / ${VAR}
//     substituted into string scalars only, then classified by kind.
import type { Color } from '../config/types.js';
import type { KubeObject } from '../kube/types.js';
//
// Functions (src/manifests/index.ts):
//   buildService(c), buildDeployment(c, input: DeploymentSpecInput), buildDestinationRule(c, subsets: Color[]),
//   buildGateway(c), buildVirtualService(c, routes: RouteSet)                       // c: CutoverConfig; → KubeObject
//   deploymentName(c, color) = `<app>-<color>`; virtualServiceName(c) = `<app>`; destinationRuleName(c) = `<app>`
//   loadManifestTemplates(dir): Promise<ManifestTemplates>            // InputError on bad YAML / missing kind
//   renderManifests(t: ManifestTemplates, vars: Record<string,string|undefined>): ClassifiedManifests
//                                                                      // InputError listing ALL unset variables
//   substitute(value: unknown, vars, path): unknown                    // structural, string scalars only

/** Labels and annotations cutover reads and writes. Keep stable: the cluster is the state. */
export const LABELS = {
  app: 'app',
  color: 'color',
  /** Pod label the demo app and dashboards use for the version (the release id). */
  version: 'version',
  release: 'cutover.dev/release',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const ANNOTATIONS = {
  image: 'cutover.dev/image',
  /** JSON of the test verdict recorded by `cutover test`. */
  tested: 'cutover.dev/tested',
  lockEpoch: 'cutover.dev/lock-epoch',
  operation: 'cutover.dev/operation',
} as const;

export const MANAGED_BY = 'cutover';

/** What a color's Deployment is built for. */
export interface DeploymentSpecInput {
  color: Color;
  /** Full image reference. */
  image: string;
  /** Release id (CI run id, --release or generated); label value safe (≤ 63, [A-Za-z0-9_.-]). */
  release: string;
}

/** The routes the VirtualService holds. */
export interface RouteSet {
  /** Color every plain request goes to; null before the first promote (no default route). */
  active: Color | null;
  /** Color test traffic goes to (first route, matched by the test match); null: no test route. */
  test: Color | null;
}

/** One parsed document of a user's manifest folder. */
export interface ManifestDoc {
  /** Path relative to the folder, e.g. 'route-test.yml'. */
  file: string;
  /** Position of the document in its file (0-based). */
  index: number;
  object: KubeObject;
}

/** A manifest folder parsed but not yet substituted (parse once, render per color). */
export interface ManifestTemplates {
  /** Absolute folder path. */
  dir: string;
  docs: ManifestDoc[];
  /** Every variable name referenced anywhere, sorted. */
  variables: string[];
  /** The parsed YAML documents, parallel to `docs` (internal: renderManifests clones them). */
  documents: unknown[];
}

/** A rendered folder, objects grouped by role. */
export interface ClassifiedManifests {
  /** Deployments by the color in their `color` label (after substitution). */
  deployments: ManifestDoc[];
  services: ManifestDoc[];
  gateways: ManifestDoc[];
  /**
   * VirtualServices with a flag: `hasTestRoute` when a route has a match (route-test.yml);
   * false for the plain route set (route.yml). Both may name the same object.
   */
  virtualServices: Array<ManifestDoc & { hasTestRoute: boolean }>;
  destinationRules: ManifestDoc[];
  /** Anything else (Secrets, ConfigMaps…), applied as is. */
  others: ManifestDoc[];
}
