// Shapes shared by the pieces of the pod runtime.
import type { KubeObject, ObjectStore } from '../store/types.js';
import type { ImageTable } from '../images/index.js';
import type { EventRecorder } from '../controllers/event-recorder.js';
import type { EnvFromSource, EnvVar } from './container-env.js';
import type { Probe } from './probes.js';

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: Probe; postStart?: Probe };
  stdin?: boolean;
  tty?: boolean;
}

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        reason: string;
        message?: string;
        startedAt?: string;
        finishedAt: string;
        containerID?: string;
      };
    };

export interface RuntimeDeps {
  store: ObjectStore;
  images: ImageTable;
  stateDir: string;
  /** Events as the kubelet writes them. */
  events: EventRecorder;
  backoffBaseMs: number;
  backoffMaxMs: number;
  apiServer(): { host: string; port: number } | undefined;
  /** True once the runtime is shutting down: no more status writes or events. */
  quiet(): boolean;
  log(line: string): void;
  /** A container's process group started (or ended) on a pod address: cleaned up if we crash. */
  trackProcess(podIP: string, pgid: number, running: boolean): void;
}

/** What a container runner needs to know about its pod (which changes over time). */
export interface PodHandle {
  pod(): KubeObject;
  podIP: string;
  /** Something changed that the pod's status shows. */
  changed(): void;
}
