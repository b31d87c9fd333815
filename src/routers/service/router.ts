// Plain Kubernetes Services as a TrafficRouter, for teams without a mesh: the app's Service
// selects the live color (`app=<app>,color=<live>`), a preview Service selects the color under
// test, which testers reach through its own address. Promote and rollback are ONE
// resourceVersion-checked write of the app Service's selector.
//
// What the data plane does, and what cutover can therefore promise:
// - A selector change moves new connections; kube-proxy keeps established ones on their pod
//   (conntrack), so a keep-alive client may see the old color until its connection closes.
//   Decommission's drain window must cover your clients' keep-alive time.
// - There is no route to stamp who served: verification relies on the app answering with the
//   identity header (x-cutover-served-by) from the CUTOVER_* variables cutover sets in the pod;
//   without a URL that reaches the Service from where cutover runs, the switch is not verified,
//   and cutover says so.
import type { KubeClient, KubeObject } from '../../kube/types.js';
import { SERVES_LABEL } from '../plain-traffic.js';
import { readLastSwitch, switchAnnotations, switchChangesRecord } from '../switch-record.js';
import {
  isColor,
  type Color,
  type DataPlane,
  type LastSwitch,
  type LiveRoutes,
  type ObjectChange,
  type ObjectLookup,
  type RouteSummary,
  type SwitchInfo,
  type TrafficRouter,
} from '../types.js';
import type { ServiceRouterSettings } from './settings.js';

type Json = Record<string, unknown>;

export interface ServiceLive extends LiveRoutes {
  service?: KubeObject;
  preview?: KubeObject;
}

function selectedColor(svc: KubeObject | undefined, colorLabel: string): Color | undefined {
  const c = ((svc?.spec as Json | undefined)?.selector as Record<string, string> | undefined)?.[colorLabel];
  return isColor(c) ? c : undefined;
}

export class ServiceRouter implements TrafficRouter {
  readonly kind = 'service';
  constructor(readonly settings: ServiceRouterSettings) {}

  routeObjectName(): string {
    return `Service ${this.settings.namespace}/${this.settings.serviceName}`;
  }

  async read(kube: KubeClient): Promise<ServiceLive> {
    const s = this.settings;
    const get = (name: string) =>
      kube.getOptional({ apiVersion: 'v1', kind: 'Service', name, namespace: s.namespace });
    const [service, preview] = await Promise.all([get(s.serviceName), get(s.previewServiceName)]);
    return this.describe({ service, preview });
  }

  fromObjects(lookup: ObjectLookup): ServiceLive {
    return this.describe({
      service: lookup('Service', this.settings.serviceName),
      preview: lookup('Service', this.settings.previewServiceName),
    });
  }

  routeSummary(live: LiveRoutes): RouteSummary[] {
    const l = live as ServiceLive;
    const { colorLabel } = this.settings;
    return [
      ...(l.preview
        ? [
            {
              name: l.preview.metadata.name,
              color: selectedColor(l.preview, colorLabel) ?? null,
              match: true,
            },
          ]
        : []),
      ...(l.service
        ? [
            {
              name: l.service.metadata.name,
              color: selectedColor(l.service, colorLabel) ?? null,
              match: false,
            },
          ]
        : []),
    ];
  }

  describe(o: { service?: KubeObject; preview?: KubeObject }): ServiceLive {
    const { colorLabel } = this.settings;
    return {
      ...o,
      activeColor: selectedColor(o.service, colorLabel),
      testColor: selectedColor(o.preview, colorLabel),
      // Pods are selected directly: nothing needs to exist per color before a selector names it.
      subsets: ['blue', 'green'],
      objects: [o.service, o.preview].filter((x): x is KubeObject => !!x),
    };
  }

  lastSwitch(live: LiveRoutes): LastSwitch {
    return readLastSwitch(this.settings.annotationPrefix, (live as ServiceLive).service, live.activeColor);
  }

  planEnsure(): ObjectChange[] {
    return [];
  }

  planTestTraffic(live: LiveRoutes, color: Color): ObjectChange[] {
    const l = live as ServiceLive;
    return this.planSelector(
      l.preview,
      this.settings.previewServiceName,
      color,
      {},
      `send testers (the preview Service) to ${color}`,
    );
  }

  planAllTraffic(live: LiveRoutes, color: Color, info: SwitchInfo): ObjectChange[] {
    const l = live as ServiceLive;
    const prefix = this.settings.annotationPrefix;
    const annotations = switchAnnotations(prefix, l.service, l.activeColor, color, info);
    if (l.activeColor === color && !switchChangesRecord(prefix, l.service, annotations)) return [];
    const from = l.activeColor ? `from ${l.activeColor} ` : '';
    return this.planSelector(
      l.service,
      this.settings.serviceName,
      color,
      annotations,
      `send all traffic ${from}to ${color}`,
      true,
    );
  }

  /** Testers stop reaching `color`: the preview Service goes (it selects nothing else). */
  planRemoveRoutes(live: LiveRoutes, color: Color): ObjectChange[] {
    const preview = (live as ServiceLive).preview;
    if (!preview || selectedColor(preview, this.settings.colorLabel) !== color) return [];
    return [
      {
        action: 'delete',
        ...ref(preview),
        reason: `delete the preview Service ${preview.metadata.name} (it selects ${color})`,
        resourceVersion: preview.metadata.resourceVersion,
      },
    ];
  }

  planRemoveSubset(): ObjectChange[] {
    return [];
  }

  private service(name: string, color: Color, annotations: Record<string, string>): KubeObject {
    const s = this.settings;
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace: s.namespace,
        labels: {
          [s.appLabel]: s.app,
          'app.kubernetes.io/managed-by': 'cutover',
          // Testers' Service: the live-color guard does not count it as plain traffic.
          ...(name === s.previewServiceName ? { [SERVES_LABEL]: 'testers' } : {}),
        },
        ...(Object.keys(annotations).length ? { annotations } : {}),
      },
      spec: {
        type: s.serviceType,
        selector: { [s.appLabel]: s.app, [s.colorLabel]: color },
        ports: [{ name: 'http', port: s.servicePort, targetPort: s.targetPort, protocol: 'TCP' }],
      },
    };
  }

  private planSelector(
    current: KubeObject | undefined,
    name: string,
    color: Color,
    annotations: Record<string, string | null>,
    reason: string,
    force = false,
  ): ObjectChange[] {
    const s = this.settings;
    if (!current) {
      const kept = Object.fromEntries(Object.entries(annotations).filter(([, v]) => v !== null)) as Record<
        string,
        string
      >;
      const object = this.service(name, color, kept);
      return [{ action: 'create', ...ref(object), reason: `create Service ${name}: ${reason}`, object }];
    }
    if (!force && selectedColor(current, s.colorLabel) === color) return [];
    const selector = {
      ...(((current.spec as Json).selector as Json | undefined) ?? {}),
      [s.appLabel]: s.app,
      [s.colorLabel]: color,
    };
    const metadata: Json = { resourceVersion: current.metadata.resourceVersion };
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    return [{ action: 'merge-patch', ...ref(current), reason, patch: { metadata, spec: { selector } } }];
  }

  async dataPlane(kube: KubeClient, tester: boolean): Promise<DataPlane> {
    const s = this.settings;
    const headers: Record<string, string> = s.host ? { host: s.host } : {};
    const given = tester ? s.previewUrl : s.url;
    if (given) return { url: given.replace(/\/$/, ''), headers };
    const name = tester ? s.previewServiceName : s.serviceName;
    const svc = await kube.getOptional({ apiVersion: 'v1', kind: 'Service', name, namespace: s.namespace });
    const ingress = ((svc?.status as Json | undefined)?.loadBalancer as Json | undefined)?.ingress as
      Json[] | undefined;
    const address = ingress?.[0]?.ip ?? ingress?.[0]?.hostname;
    if (typeof address !== 'string') {
      return {
        headers,
        unverified: `the data plane was not verified: Service ${s.namespace}/${name} has no load-balancer address and no URL is configured (set gatewayUrl in cutover.yaml to a URL that reaches it, or use a LoadBalancer Service)`,
      };
    }
    const hostPart = address.includes(':') ? `[${address}]` : address;
    return { url: `http://${hostPart}:${s.servicePort}`, headers };
  }
}

function ref(obj: KubeObject) {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? 'default',
    name: obj.metadata.name,
  };
}
