// Models Envoy seeing configuration later than the API server: every store change the gateway
// routes by (Istio's Gateways, VirtualServices, DestinationRules; Gateway API GatewayClasses,
// Gateways, HTTPRoutes; Services, Endpoints, Pods) reaches the
// proxy's view `delayMs` after it happened, in store order. A burst is applied change by change,
// each at its own time + delay; changing the delay affects changes made afterwards.
import { performance } from 'node:perf_hooks';
import { findResource } from '../resources.js';
import type { ObjectStore, StoreEvent } from '../store/types.js';
import { emptyView, objectKey, VIEW_KINDS, type ConfigView, type ViewKind } from './config-view.js';

const RESOURCES: Record<ViewKind, [group: string, resource: string]> = {
  gateways: ['networking.istio.io', 'gateways'],
  virtualservices: ['networking.istio.io', 'virtualservices'],
  destinationrules: ['networking.istio.io', 'destinationrules'],
  services: ['', 'services'],
  endpoints: ['', 'endpoints'],
  pods: ['', 'pods'],
  gatewayclasses: ['gateway.networking.k8s.io', 'gatewayclasses'],
  k8sgateways: ['gateway.networking.k8s.io', 'gateways'],
  httproutes: ['gateway.networking.k8s.io', 'httproutes'],
};

interface Pending {
  kind: ViewKind;
  event: StoreEvent;
  dueAt: number;
}

export class PropagatedView {
  readonly view: ConfigView = emptyView();
  private readonly queue: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly stops: Array<() => void> = [];
  /** The newest store resourceVersion included in the view. */
  appliedResourceVersion = 0;

  /** `onChange` runs after one or more changes became visible, with the view updated in place. */
  constructor(
    private readonly store: ObjectStore,
    private delayMs: number,
    private readonly onChange: () => void,
  ) {}

  /** Loads the current objects at once (the proxy starts with the current config), then follows changes. */
  start(): void {
    this.appliedResourceVersion = this.store.currentResourceVersion();
    for (const kind of VIEW_KINDS) {
      const resource = findResource(...RESOURCES[kind]);
      if (!resource) throw new Error(`gateway: resource ${kind} is not served by the local cluster`);
      for (const o of this.store.list(resource).items) this.view[kind].set(objectKey(o), o);
      this.stops.push(this.store.watch(resource, (event) => this.enqueue(kind, event)));
    }
  }

  setDelay(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private enqueue(kind: ViewKind, event: StoreEvent): void {
    this.queue.push({ kind, event, dueAt: performance.now() + this.delayMs });
    if (this.timer === undefined) this.arm();
  }

  private arm(): void {
    const next = this.queue[this.head];
    if (!next) return;
    this.timer = setTimeout(() => this.drain(), Math.max(0, Math.ceil(next.dueAt - performance.now())));
  }

  /** Applies every change that is due, in order; a timer that fires early just re-arms. */
  private drain(): void {
    this.timer = undefined;
    const now = performance.now();
    let applied = 0;
    while (this.head < this.queue.length && this.queue[this.head]!.dueAt <= now) {
      const { kind, event } = this.queue[this.head++]!;
      if (event.type === 'DELETED') this.view[kind].delete(objectKey(event.object));
      else this.view[kind].set(objectKey(event.object), event.object);
      this.appliedResourceVersion = event.resourceVersion;
      applied++;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (applied > 0) this.onChange();
    this.arm();
  }
}
