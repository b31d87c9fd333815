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
import { OperationFailedError } from '../../errors.js';
import { refOf, type KubeClient, type KubeObject } from '../../kube/types.js';
import { SERVES_LABEL } from '../plain-traffic.js';
import { readLastSwitch, switchAnnotations, switchChangesRecord } from '../switch-record.js';
import {
  isColor,
  type AcceptDeadline,
  type Color,
  type DataPlane,
  type LastSwitch,
  type LiveRoutes,
  type ObjectChange,
  type ObjectLookup,
  type RouteSummary,
  type ServingTarget,
  type SwitchInfo,
  type Teardown,
  type RouterStepNames,
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
  // Nothing exists per color: the preview Service is written when testers are sent, the app
  // Service's selector at the switch; the steps that would ensure or remove a color's part are left out.
  readonly stepNames: RouterStepNames = {
    ensure: () => undefined,
    ensureColor: () => undefined,
    removeColor: () => undefined,
  };
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
    const active = selectedColor(o.service, colorLabel);
    const preview = selectedColor(o.preview, colorLabel);
    return {
      ...o,
      activeColor: active,
      // After a promote the preview keeps selecting the color just promoted: nothing is under test.
      testColor: preview !== active ? preview : undefined,
      // Pods are selected directly: nothing needs to exist per color before a selector names it.
      subsets: ['blue', 'green'],
      subsetsImplicit: true,
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
        ...refOf(preview),
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
      return [{ action: 'create', ...refOf(object), reason: `create Service ${name}: ${reason}`, object }];
    }
    if (!force && selectedColor(current, s.colorLabel) === color) return [];
    const selector = {
      ...(((current.spec as Json).selector as Json | undefined) ?? {}),
      [s.appLabel]: s.app,
      [s.colorLabel]: color,
    };
    const metadata: Json = { resourceVersion: current.metadata.resourceVersion };
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    // Only the selector moves: `port` is what users dial, so a changed `port:` in cutover.yaml
    // does not move it (the named targetPort follows each color's pods).
    const spec: Json = { selector };
    // A Service made before this router owned it (the mesh's host Service, type ClusterIP) becomes
    // reachable the way cutover.yaml says; never narrowed back to ClusterIP (its node ports are users').
    const type = (current.spec as Json).type ?? 'ClusterIP';
    if (type !== s.serviceType && s.serviceType !== 'ClusterIP') spec.type = s.serviceType;
    return [{ action: 'merge-patch', ...refOf(current), reason, patch: { metadata, spec } }];
  }

  /** The preview Service, then the app Service: testers and users stop before the pods go. */
  async teardown(_kube: KubeClient, live: LiveRoutes): Promise<Teardown> {
    const l = live as ServiceLive;
    const objects = [l.preview, l.service].filter((o): o is KubeObject => !!o);
    return { beforeWorkloads: [{ name: 'remove the Services', objects }], afterWorkloads: [], kept: [] };
  }

  /** The app Service and the preview Service are this router's: the builders must not apply them. */
  owns(kind: string, name: string): boolean {
    const s = this.settings;
    return kind === 'Service' && (name === s.serviceName || name === s.previewServiceName);
  }

  /**
   * Where a new user (or tester) lands: a URL given in cutover.yaml, else the Service's
   * load-balancer address. No proxy stamps who served, and kube-proxy balances connections, so
   * probes use new connections and an answer that names nobody counts when healthy; the proof
   * that does not need the app is awaitServing (the endpoints).
   */
  async dataPlane(kube: KubeClient, tester: boolean): Promise<DataPlane> {
    const s = this.settings;
    const headers: Record<string, string> = s.host ? { host: s.host } : {};
    const plane = {
      headers,
      freshConnections: true,
      unmarkedAnswers: true,
      urlField: tester ? 'previewUrl' : 'gatewayUrl',
    };
    const given = tester ? s.previewUrl : s.url;
    if (given) return { ...plane, url: given.replace(/\/$/, '') };
    const name = tester ? s.previewServiceName : s.serviceName;
    const what = `Service ${s.namespace}/${name}`;
    if (s.serviceType !== 'LoadBalancer') {
      return {
        ...plane,
        unverifiable: true,
        unverified: `the data plane was not verified: ${what} is of type ${s.serviceType} and no URL is configured (set ${tester ? 'previewUrl' : 'gatewayUrl'} in cutover.yaml to a URL that reaches it from where cutover runs, or use serviceType: LoadBalancer)`,
      };
    }
    const svc = await kube.getOptional({ apiVersion: 'v1', kind: 'Service', name, namespace: s.namespace });
    const ingress = ((svc?.status as Json | undefined)?.loadBalancer as Json | undefined)?.ingress as
      Json[] | undefined;
    const address = ingress?.[0]?.ip ?? ingress?.[0]?.hostname;
    if (typeof address !== 'string') {
      return {
        ...plane,
        createdByCutover: !svc,
        pending: !!svc,
        ...(svc ? {} : { missing: what }),
        unverified: `the data plane was not verified: ${what} ${svc ? 'has no load-balancer address yet' : 'does not exist'} and no URL is configured (set ${tester ? 'previewUrl' : 'gatewayUrl'} in cutover.yaml to a URL that reaches it)`,
      };
    }
    const hostPart = address.includes(':') ? `[${address}]` : address;
    return { ...plane, url: `http://${hostPart}:${dialledPort(svc!) ?? s.servicePort}` };
  }

  /**
   * kube-proxy sends a Service's new connections to its ready endpoints: once they are exactly
   * the target color's pods (and release, where pods carry it), every new connection lands there.
   */
  async awaitServing(kube: KubeClient, target: ServingTarget, deadline: AcceptDeadline): Promise<string> {
    const s = this.settings;
    const name = target.tester ? s.previewServiceName : s.serviceName;
    const started = deadline.clock();
    for (;;) {
      const why = await this.endpointsProblem(kube, name, target);
      if (why.ok) return why.text;
      if (deadline.clock() - started >= deadline.timeoutMs) {
        throw new OperationFailedError(
          `Service ${s.namespace}/${name}: its endpoints are not the ${target.color} pods within ${deadline.timeoutMs} ms (${why.text})`,
          {
            remedy: `check \`kubectl get endpoints ${name} -n ${s.namespace}\` and the ${target.color} pods' readiness, then run the command again`,
          },
        );
      }
      await deadline.sleep(200);
    }
  }

  private async endpointsProblem(
    kube: KubeClient,
    name: string,
    target: ServingTarget,
  ): Promise<{ ok: boolean; text: string }> {
    const s = this.settings;
    const [endpoints, pods] = await Promise.all([
      kube.getOptional({ apiVersion: 'v1', kind: 'Endpoints', name, namespace: s.namespace }),
      kube.list('v1', 'Pod', s.namespace, { labelSelector: `${s.appLabel}=${s.app}` }),
    ]);
    const byName = new Map(pods.items.map((p) => [p.metadata.name, p]));
    const subsets = ((endpoints as Json | undefined)?.subsets ?? []) as Json[];
    const addresses = subsets.flatMap((x) => (x.addresses ?? []) as Json[]);
    const wrong: string[] = [];
    for (const a of addresses) {
      const podName = ((a.targetRef as Json | undefined)?.name as string | undefined) ?? String(a.ip);
      const labels = byName.get(podName)?.metadata.labels ?? {};
      const release = labels[s.releaseLabel];
      if (labels[s.colorLabel] !== target.color)
        wrong.push(`${podName} (${labels[s.colorLabel] ?? 'no color'})`);
      else if (target.release && release && release !== target.release)
        wrong.push(`${podName} (release ${release})`);
    }
    if (!addresses.length) return { ok: false, text: 'no ready endpoint' };
    if (wrong.length) return { ok: false, text: `endpoints include ${wrong.join(', ')}` };
    return {
      ok: true,
      text: `Service ${s.namespace}/${name}'s endpoints are the ${addresses.length} ready ${target.color} pod${addresses.length === 1 ? '' : 's'}`,
    };
  }
}

/** The port users dial on a Service: its `http` port, else its first (kept when `port:` changes). */
function dialledPort(svc: KubeObject): number | undefined {
  const ports = ((svc.spec as Json | undefined)?.ports as Json[] | undefined) ?? [];
  const port = (ports.find((p) => p.name === 'http') ?? ports[0])?.port;
  return typeof port === 'number' ? port : undefined;
}
