// Which TrafficRouter an app uses, from cutover.yaml's validated `router:` field. Adding a router
// is a folder under src/routers/ and one entry here; an unknown value never falls back silently
// (the schema refuses it, and so does this switch).
import type { CutoverConfig } from '../config/types.js';
import { InputError } from '../errors.js';
import { gateway } from './gateway-api/route-builder.js';
import { GatewayApiRouter } from './gateway-api/router.js';
import { IstioRouter } from './istio/router.js';
import { istioSettingsFromConfig, istioSettingsFromManifests } from './istio/settings-build.js';
import type { ClassifiedManifests } from '../manifests/types.js';
import { ServiceRouter } from './service/router.js';
import type { TrafficRouter } from './types.js';

/** Labels cutover puts on every pod: `app=<app>`, `color=<color>`. */
export interface RouterLabels {
  app: string;
  color: string;
  release: string;
}

export interface RouterInput {
  config: CutoverConfig;
  namespace: string;
  /** Manifests mode: the rendered folder (the Istio router takes its VirtualService from it). */
  folder?: { dir: string; rendered: ClassifiedManifests };
  labels: RouterLabels;
  annotationPrefix: string;
}

export function createRouter(input: RouterInput): TrafficRouter {
  const { config, namespace, labels, annotationPrefix } = input;
  const kind = config.router;
  switch (kind) {
    case 'istio': {
      const common = {
        namespace,
        colorLabel: labels.color,
        appId: `${namespace}/${config.app}`,
        annotationPrefix,
      };
      return new IstioRouter(
        input.folder
          ? istioSettingsFromManifests(config, common, input.folder)
          : istioSettingsFromConfig(config, common),
      );
    }
    case 'gateway-api': {
      const gwNamespace = config.gateway.namespace ?? namespace;
      const m = config.testMatch;
      return new GatewayApiRouter({
        namespace,
        app: config.app,
        appId: `${namespace}/${config.app}`,
        routeName: config.app,
        gatewayRef: { name: config.gateway.name, namespace: gwNamespace },
        gateway: config.gateway.create
          ? gateway(config.gateway.name, gwNamespace, config.gateway.className, config.gateway.port)
          : undefined,
        hostnames: config.gateway.hosts.filter((h) => h !== '*'),
        appLabel: labels.app,
        colorLabel: labels.color,
        servicePort: config.port,
        targetPort: config.port,
        testMatch:
          m.type === 'cookie'
            ? { type: 'cookie', name: m.name, value: m.value, regex: m.regex }
            : { type: 'header', name: m.name, value: m.value },
        annotationPrefix,
        colorHeader: config.versionHeader,
        url: config.gatewayUrl,
      });
    }
    case 'service':
      return new ServiceRouter({
        namespace,
        app: config.app,
        serviceName: config.app,
        previewServiceName: `${config.app}-preview`,
        appLabel: labels.app,
        colorLabel: labels.color,
        releaseLabel: labels.release,
        servicePort: config.port,
        // The builders name the container port `http`: by name, the Services reach each color on
        // its own port while the two differ (a changed `port:`). A manifests folder's pods may not
        // name it, so there the number is used.
        targetPort: config.manifests ? config.port : 'http',
        serviceType: config.serviceType,
        annotationPrefix,
        url: config.gatewayUrl,
        previewUrl: config.previewUrl,
      });
    default: {
      const never: never = kind;
      throw new InputError(`router: unknown value ${JSON.stringify(never)}`, {
        field: 'router',
        remedy: 'use istio, gateway-api or service',
      });
    }
  }
}
