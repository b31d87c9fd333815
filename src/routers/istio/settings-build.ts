// The Istio router's settings, from cutover.yaml (the built-in VirtualService, DestinationRule and
// Gateway) or from the user's manifests folder (the seed's route-test.yml, route.yml…), so that
// the VirtualService cutover writes keeps the user's own fields.
import type { CutoverConfig } from '../../config/types.js';
import { InputError } from '../../errors.js';
import type { KubeObject } from '../../kube/types.js';
import { buildDestinationRule, buildGateway, buildVirtualService } from '../../manifests/build.js';
import { destinationRuleName, virtualServiceName } from '../../manifests/names.js';
import type { ClassifiedManifests } from '../../manifests/types.js';
import type { RouteSettings } from './settings.js';

/** The parts of the settings every source shares (who the routes say served, the labels). */
export interface IstioCommon {
  namespace: string;
  colorLabel: string;
  appId: string;
  annotationPrefix: string;
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
function testHeadersOf(config: CutoverConfig): Record<string, string> {
  const m = config.testMatch;
  return m.type === 'cookie' ? { cookie: `${m.name}=${m.value}` } : { [m.name]: m.value };
}

export function istioSettingsFromConfig(config: CutoverConfig, common: IstioCommon): RouteSettings {
  const shape = buildVirtualService(config, { active: 'green', test: 'blue' });
  const test = testRouteOf(shape);
  const spec = shape.spec as { hosts?: string[]; gateways?: string[] };
  return {
    ...common,
    serviceHost: config.app,
    // No port in the route: the builders' Service has one, and a route naming it would name a
    // port the Service no longer has once `port:` changes (Envoy answers 503, no cluster) while
    // the live color still runs. The Service's named targetPort reaches each color's own port.
    virtualServiceName: virtualServiceName(config),
    destinationRuleName: destinationRuleName(config),
    gateway: config.gateway.create ? buildGateway(config) : undefined,
    gateways: spec.gateways ?? [config.gateway.name],
    hosts: spec.hosts ?? config.gateway.hosts,
    testMatch: test?.match ?? [],
    testHeaders: testHeadersOf(config),
    colorHeader: config.versionHeader,
    routeNames: {
      test: test?.name ?? `${config.app}-test`,
      default: lastRouteName(shape) ?? `${config.app}-default`,
    },
    virtualServiceTemplate: buildVirtualService(config, { active: null, test: null }),
    destinationRuleTemplate: buildDestinationRule(config, []),
    url: config.gatewayUrl,
  };
}

/** From the folder's VirtualService (the one with a test route) and DestinationRule. */
export function istioSettingsFromManifests(
  config: CutoverConfig,
  common: IstioCommon,
  folder: { dir: string; rendered: ClassifiedManifests },
): RouteSettings {
  const r = folder.rendered;
  const where = { file: folder.dir };
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
  const drSpec = drDoc.object.spec as { host?: string; subsets?: unknown[] };
  return {
    ...common,
    serviceHost: drSpec.host ?? config.app,
    virtualServiceName: vs.metadata.name,
    destinationRuleName: drDoc.object.metadata.name,
    gateway: r.gateways[0]?.object,
    gateways: vsSpec.gateways ?? [],
    hosts: vsSpec.hosts ?? ['*'],
    testHeaders: testHeadersOf(config),
    testMatch: test?.match ?? [],
    colorHeader: config.versionHeader,
    routeNames: {
      test: test?.name ?? `${config.app}-test`,
      default: lastRouteName(vs) ?? `${config.app}-default`,
    },
    virtualServiceTemplate: { ...vs, spec: { ...vsSpec, http: [] } },
    destinationRuleTemplate: { ...drDoc.object, spec: { ...drSpec, subsets: [] } },
    url: config.gatewayUrl,
    fromManifests: true,
  };
}
