// Defaults the real API server fills in at admission (pkg/apis/apps/v1/defaults.go and
// pkg/apis/core/v1/defaults.go), for objects that reach the controllers without them. The
// controllers read Deployments through deploymentSpec() and stamp podDefaults() on the pods they
// create. Admission puts podTemplateSpecDefaults() on pod templates and podDefaults() on Pods:
// only Pods get the Pod-level defaults (SetDefaults_Pod, the ServiceAccount admission plugin).
import { clone } from './object-helpers.js';
import type { LabelSelector } from './object-helpers.js';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: PodSpec;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  [k: string]: unknown;
}

export interface PodSpec {
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  [k: string]: unknown;
}

export interface DeploymentSpec {
  replicas: number;
  selector: LabelSelector;
  template: PodTemplate;
  strategy: {
    type: 'RollingUpdate' | 'Recreate';
    rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
  };
  minReadySeconds: number;
  revisionHistoryLimit: number;
  progressDeadlineSeconds: number;
  paused: boolean;
}

export function deploymentSpec(raw: unknown): DeploymentSpec {
  const s = (raw ?? {}) as Partial<DeploymentSpec>;
  const type = s.strategy?.type ?? 'RollingUpdate';
  const rollingUpdate =
    type === 'RollingUpdate'
      ? { maxSurge: '25%', maxUnavailable: '25%', ...s.strategy?.rollingUpdate }
      : undefined;
  return {
    replicas: s.replicas ?? 1,
    selector: s.selector ?? {},
    template: s.template ?? {},
    strategy: { type, ...(rollingUpdate ? { rollingUpdate } : {}) },
    minReadySeconds: s.minReadySeconds ?? 0,
    revisionHistoryLimit: s.revisionHistoryLimit ?? 10,
    progressDeadlineSeconds: s.progressDeadlineSeconds ?? 600,
    paused: s.paused ?? false,
  };
}

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go defaulting treats the zero value as unset: absent, '' and 0 all take the default. */
function defaultField(obj: Json, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '' || obj[key] === 0) obj[key] = value;
}

/** SetDefaults_HTTPGetAction, wherever an httpGet appears (probes and lifecycle hooks). */
function defaultHandler(handler: unknown): void {
  if (!isRecord(handler) || !isRecord(handler.httpGet)) return;
  defaultField(handler.httpGet, 'path', '/');
  defaultField(handler.httpGet, 'scheme', 'HTTP');
}

/** SetDefaults_Probe plus its handler's defaults. */
function defaultProbe(probe: unknown): void {
  if (!isRecord(probe)) return;
  defaultField(probe, 'timeoutSeconds', 1);
  defaultField(probe, 'periodSeconds', 10);
  defaultField(probe, 'successThreshold', 1);
  defaultField(probe, 'failureThreshold', 3);
  defaultHandler(probe);
}

/**
 * The tag parsers.ParseImageName finds: none and no digest means `latest`. The tag is after the
 * last ':' of the last path segment (a registry's `host:port` is not a tag).
 */
function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : '';
  return tag === '' && at < 0 ? 'latest' : tag;
}

/** SetDefaults_Container, SetDefaults_ContainerPort and the probe and hook defaults. */
function containerDefaults(container: ContainerSpec): ContainerSpec {
  const c = container as ContainerSpec & Json;
  defaultField(
    c,
    'imagePullPolicy',
    imageTag(String(c.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent',
  );
  defaultField(c, 'terminationMessagePath', '/dev/termination-log');
  defaultField(c, 'terminationMessagePolicy', 'File');
  for (const p of ['readinessProbe', 'livenessProbe', 'startupProbe']) defaultProbe(c[p]);
  if (isRecord(c.lifecycle)) for (const hook of ['postStart', 'preStop']) defaultHandler(c.lifecycle[hook]);
  if (Array.isArray(c.ports))
    for (const port of c.ports) if (isRecord(port)) defaultField(port, 'protocol', 'TCP');
  return c;
}

/**
 * SetDefaults_PodSpec and the container defaults: what every pod spec gets, in a Pod or in a
 * Deployment's or ReplicaSet's pod template alike.
 */
export function podTemplateSpecDefaults(spec: PodSpec): PodSpec {
  const s = clone(spec) as PodSpec & Json;
  defaultField(s, 'dnsPolicy', 'ClusterFirst');
  defaultField(s, 'restartPolicy', 'Always');
  if (!isRecord(s.securityContext)) s.securityContext = {};
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null)
    s.terminationGracePeriodSeconds = 30;
  defaultField(s, 'schedulerName', 'default-scheduler');
  s.containers = (s.containers ?? []).map(containerDefaults);
  if (Array.isArray(s.initContainers)) s.initContainers = s.initContainers.map(containerDefaults);
  mirrorServiceAccount(s);
  return s;
}

/**
 * A pod spec with the defaults the API server adds to every Pod it admits: the template
 * defaults, SetDefaults_Pod (enableServiceLinks, requests from limits) and the ServiceAccount
 * admission plugin (`default`). Templates get neither: a real Deployment shows no service account.
 */
export function podDefaults(spec: PodSpec): PodSpec {
  const s = podTemplateSpecDefaults(spec) as PodSpec & Json;
  if (typeof s.enableServiceLinks !== 'boolean') s.enableServiceLinks = true;
  for (const c of [...s.containers, ...(s.initContainers ?? [])]) requestsFromLimits(c as Json);
  defaultField(s, 'serviceAccountName', 'default');
  mirrorServiceAccount(s);
  return s;
}

// v1 conversion keeps the deprecated `serviceAccount` equal to `serviceAccountName` (reading
// the old field when only it is set).
function mirrorServiceAccount(s: Json): void {
  if (typeof s.serviceAccount === 'string') defaultField(s, 'serviceAccountName', s.serviceAccount);
  if (typeof s.serviceAccountName === 'string' && s.serviceAccountName !== '')
    s.serviceAccount = s.serviceAccountName;
}

function requestsFromLimits(c: Json): void {
  if (!isRecord(c.resources) || !isRecord(c.resources.limits)) return;
  const requests = isRecord(c.resources.requests) ? c.resources.requests : {};
  for (const [key, value] of Object.entries(c.resources.limits)) requests[key] ??= value;
  c.resources.requests = requests;
}
