// Writes core/v1 Events about an object, as the kubelet, the scheduler and the controllers do, so
// that `kubectl describe` and `kubectl get events` tell the same story as on a real cluster.
// Repeats of the same event (same object, type, reason and message) bump `count` and
// `lastTimestamp` of the first one instead of piling up, like client-go's event correlator.
import type { KubeObject, ObjectStore } from '../store/types.js';
import { isApiError } from '../store/api-error.js';
import { EVENTS } from './kinds.js';
import { timestamp } from './object-helpers.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

export interface EventSource {
  component: string;
  host?: string;
}

const MAX_CORRELATED = 4096;

export function createEventRecorder(store: ObjectStore, source: EventSource): EventRecorder {
  const seen = new Map<string, string>(); // correlation key → event name
  return {
    record(obj, type, reason, message, fieldPath) {
      const namespace = obj.metadata.namespace ?? 'default';
      const correlation = [obj.metadata.uid, fieldPath ?? '', type, reason, message].join('\u0000');
      const now = timestamp();
      try {
        const name = seen.get(correlation);
        const existing = name ? store.get(EVENTS, namespace, name) : undefined;
        if (existing) {
          store.update(EVENTS, {
            ...existing,
            count: ((existing.count as number) ?? 1) + 1,
            lastTimestamp: now,
          });
          return;
        }
        const created = store.create(
          EVENTS,
          newEvent(obj, namespace, source, { type, reason, message, fieldPath, now }),
        );
        // Bounded like client-go's cache of recent events: forgetting one only costs a new Event.
        if (seen.size >= MAX_CORRELATED) seen.delete(seen.keys().next().value!);
        seen.set(correlation, created.metadata.name);
      } catch (err) {
        // Events are best effort (the namespace may be going away); a lost event must not stop a pod.
        if (!isApiError(err)) throw err;
      }
    },
  };
}

interface EventFields {
  type: EventType;
  reason: string;
  message: string;
  fieldPath?: string;
  now: string;
}

function newEvent(obj: KubeObject, namespace: string, source: EventSource, f: EventFields): KubeObject {
  // Named like client-go: `<object>.<unix nanos in hex>`.
  const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${obj.metadata.name}.${nanos.toString(16)}`, namespace },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      ...(f.fieldPath ? { fieldPath: f.fieldPath } : {}),
    },
    reason: f.reason,
    message: f.message,
    source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
    firstTimestamp: f.now,
    lastTimestamp: f.now,
    count: 1,
    type: f.type,
    eventTime: null,
    reportingComponent: source.component,
    reportingInstance: source.host ?? '',
  };
}
