// Where the objects of an app come from: the built-in builders (cutover.yaml) or the user's own
// manifest folder (the seed's manifests/). The engine sees one shape either way: the route
// settings for the router, the shared objects (Service, Secrets…), and a Deployment per color.
import { createHash } from 'node:crypto';
import type { CutoverConfig, Color } from '../config/types.js';
import type { KubeObject } from '../kube/types.js';
import type { ClassifiedManifests, ManifestTemplates } from '../manifests/types.js';
import { ANNOTATIONS, LABELS, MANAGED_BY } from '../manifests/types.js';
import {
  buildDeployment,
  buildDestinationRule,
  buildGateway,
  buildService,
  buildVirtualService,
} from '../manifests/build.js';
import { deploymentName, destinationRuleName, virtualServiceName } from '../manifests/names.js';
import { InputError } from '../errors.js';
import { otherColor } from '../routers/types.js';
import type { RouteSettings } from '../routers/istio/settings.js';

/** Hash of what cutover applied to a Deployment; equal hash = nothing to do (re-runs converge). */
export const APPLIED_HASH = 'cutover.dev/applied-hash';

export interface DeploymentInput {
  color: Color;
  /** Full image reference; undefined in manifest mode keeps the manifest's image. */
  image?: string;
  release: string;
  activeColor?: Color;
}

export interface AppSource {
  readonly mode: 'builders' | 'manifests';
  readonly settings: RouteSettings;
  deploymentName(color: Color): string;
  /** Objects both colors share (Service, Secrets, ConfigMaps), to ensure before a Deployment. */
  sharedObjects(): KubeObject[];
  deployment(input: DeploymentInput): KubeObject;
}

export function stampDeployment(obj: KubeObject, input: DeploymentInput): KubeObject {
  const labels = {
    ...(obj.metadata.labels ?? {}),
    [LABELS.release]: input.release,
    [LABELS.managedBy]: MANAGED_BY,
  };
  const image = imageOf(obj) ?? '';
  const annotations = { ...(obj.metadata.annotations ?? {}), [ANNOTATIONS.image]: image };
  const stamped: KubeObject = { ...obj, metadata: { ...obj.metadata, labels, annotations } };
  const hash = createHash('sha256').update(JSON.stringify(stamped)).digest('hex').slice(0, 16);
  stamped.metadata.annotations = { ...annotations, [APPLIED_HASH]: hash };
  return stamped;
}

type Container = { name?: string; image?: string };

function containersOf(obj: KubeObject): Container[] {
  const spec = obj.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

export function imageOf(obj: KubeObject, container?: string): string | undefined {
  const cs = containersOf(obj);
  return (cs.find((c) => c.name === container) ?? cs[0])?.image;
}

function withImage(obj: KubeObject, container: string, image: string): KubeObject {
  const copy = structuredClone(obj);
  const cs = containersOf(copy);
  const target = cs.find((c) => c.name === container) ?? cs[0];
  if (target) target.image = image;
  return copy;
}

function testRouteOf(vs: KubeObject): { name?: string; match?: Record<string, unknown>[] } | undefined {
  const http =
    (vs.spec as { http?: Array<{ name?: string; match?: Record<string, unknown>[] }> })?.http ?? [];
  return http.find((r) => Array.isArray(r.match) && r.match.length > 0);
}

function lastRouteName(vs: KubeObject): string | undefined {
  const http = (vs.spec as { http?: Array<{ name?: string }> })?.http ?? [];
  return http[http.length - 1]?.name;
}

/** What a tester sends: the test cookie or header of cutover.yaml. */
export function testHeadersOf(config: CutoverConfig): Record<string, string> {
  const m = config.testMatch;
  return m.type === 'cookie' ? { cookie: `${m.name}=${m.value}` } : { [m.name]: m.value };
}

export function builderSource(config: CutoverConfig, namespace: string): AppSource {
  const shape = buildVirtualService(config, { active: 'green', test: 'blue' });
  const test = testRouteOf(shape);
  const spec = shape.spec as { hosts?: string[]; gateways?: string[] };
  const settings: RouteSettings = {
    namespace,
    serviceHost: config.app,
    servicePort: config.port,
    virtualServiceName: virtualServiceName(config),
    destinationRuleName: destinationRuleName(config),
    gateway: config.gateway.create ? buildGateway(config) : undefined,
    gateways: spec.gateways ?? [config.gateway.name],
    hosts: spec.hosts ?? config.gateway.hosts,
    testMatch: test?.match ?? [],
    testHeaders: testHeadersOf(config),
    colorLabel: LABELS.color,
    colorHeader: config.versionHeader,
    appId: `${namespace}/${config.app}`,
    routeNames: {
      test: test?.name ?? `${config.app}-test`,
      default: lastRouteName(shape) ?? `${config.app}-default`,
    },
    annotationPrefix: 'cutover.dev',
    virtualServiceTemplate: buildVirtualService(config, { active: null, test: null }),
    destinationRuleTemplate: buildDestinationRule(config, []),
    url: config.gatewayUrl,
  };
  return {
    mode: 'builders',
    settings,
    deploymentName: (color) => deploymentName(config, color),
    sharedObjects: () => [buildService(config)],
    deployment: (input) => {
      if (!input.image)
        throw new InputError('deploy needs an image', {
          remedy: 'pass --image IMAGE, or --tag TAG with the image repository as `image:` in cutover.yaml',
        });
      return stampDeployment(
        buildDeployment(config, { color: input.color, image: input.image, release: input.release }),
        input,
      );
    },
  };
}

/** Loads and renders the user's folder once, so that every problem surfaces before any write. */
export async function manifestSource(
  config: CutoverConfig,
  namespace: string,
  env: Record<string, string | undefined>,
): Promise<AppSource> {
  const m = config.manifests!;
  // Loaded only in this mode: most apps use the builders, and start-up should not pay for it.
  const { loadManifestTemplates, renderManifests } = await import('../manifests/load-dir.js');
  const templates = await loadManifestTemplates(m.dir);
  const render = (test: Color, active: Color) =>
    renderManifests(templates, { ...env, ...m.variables, COLOR_TEST: test, COLOR_ACTIVE: active });
  const probe = render('blue', 'green');
  const settings = manifestRouteSettings(config, namespace, templates, probe);
  const deploymentFor = (color: Color, active?: Color): KubeObject => {
    const r = render(color, active ?? otherColor(color));
    const doc =
      r.deployments.find((d) => d.object.metadata.labels?.[settings.colorLabel] === color) ??
      r.deployments[0];
    if (!doc)
      throw new InputError('no Deployment in the manifests folder', {
        file: m.dir,
        remedy: 'add a deployment.yml',
      });
    return doc.object;
  };
  return {
    mode: 'manifests',
    settings,
    deploymentName: (color) => deploymentFor(color).metadata.name,
    sharedObjects: () => [...probe.services, ...probe.others].map((d) => d.object),
    deployment: (input) => {
      const base = deploymentFor(input.color, input.activeColor);
      const obj = input.image ? withImage(base, config.container, input.image) : base;
      return stampDeployment(obj, input);
    },
  };
}

function manifestRouteSettings(
  config: CutoverConfig,
  namespace: string,
  templates: ManifestTemplates,
  r: ClassifiedManifests,
): RouteSettings {
  const where = { file: templates.dir };
  const vsDoc = r.virtualServices.find((v) => v.hasTestRoute) ?? r.virtualServices[0];
  const drDoc = r.destinationRules[0];
  if (!vsDoc)
    throw new InputError('no VirtualService in the manifests folder', {
      ...where,
      remedy: 'add route-test.yml',
    });
  if (!drDoc)
    throw new InputError('no DestinationRule in the manifests folder', {
      ...where,
      remedy: 'add a DestinationRule',
    });
  const vs = vsDoc.object;
  const test = testRouteOf(vs);
  const vsSpec = vs.spec as { hosts?: string[]; gateways?: string[] };
  const drSpec = drDoc.object.spec as { host?: string; subsets?: Array<{ labels?: Record<string, string> }> };
  const colorLabel = Object.keys(drSpec.subsets?.[0]?.labels ?? {})[0] ?? LABELS.color;
  const gateway = r.gateways[0]?.object;
  return {
    namespace,
    serviceHost: drSpec.host ?? config.app,
    virtualServiceName: vs.metadata.name,
    destinationRuleName: drDoc.object.metadata.name,
    gateway,
    gateways: vsSpec.gateways ?? [],
    hosts: vsSpec.hosts ?? ['*'],
    testHeaders: testHeadersOf(config),
    testMatch: test?.match ?? [],
    colorLabel,
    colorHeader: config.versionHeader,
    appId: `${namespace}/${config.app}`,
    routeNames: {
      test: test?.name ?? `${config.app}-test`,
      default: lastRouteName(vs) ?? `${config.app}-default`,
    },
    annotationPrefix: 'cutover.dev',
    virtualServiceTemplate: { ...vs, spec: { ...vsSpec, http: [] } },
    destinationRuleTemplate: { ...drDoc.object, spec: { ...drSpec, subsets: [] } },
    url: config.gatewayUrl,
    fromManifests: true,
  };
}
