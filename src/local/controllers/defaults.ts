// Defaults the real API server fills in at admission (pkg/apis/apps/v1/defaults.go and
// pkg/apis/core/v1/defaults.go), for objects that reach the controllers without them. The
// controllers read Deployments through deploymentSpec() and stamp podDefaults() on the pods they
// create; the Deployment object itself is left as the client wrote it.
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

const PROBE_DEFAULTS = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

function containerDefaults(c: ContainerSpec): ContainerSpec {
  const out: ContainerSpec = {
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy:
      String(c.image ?? '').endsWith(':latest') || !String(c.image ?? '').includes(':')
        ? 'Always'
        : 'IfNotPresent',
    ...c,
  };
  for (const p of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    if (out[p]) out[p] = { ...PROBE_DEFAULTS, ...(out[p] as object) };
  }
  if (Array.isArray(out.ports))
    out.ports = (out.ports as object[]).map((port) => ({ protocol: 'TCP', ...port }));
  return out;
}

/** A pod spec with the defaults the API server adds to every pod it admits. */
export function podDefaults(spec: PodSpec): PodSpec {
  const s = clone(spec);
  return {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    serviceAccountName: 'default',
    ...s,
    containers: (s.containers ?? []).map(containerDefaults),
    ...(s.initContainers ? { initContainers: s.initContainers.map(containerDefaults) } : {}),
  };
}
