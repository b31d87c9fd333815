// The apps the dashboard shows, kept current by watching their objects: on any change in an
// app's namespace its status is read again (the engine's own `status`), and everyone watching
// gets the new snapshot. Actions run here, one at a time per app, through the engine.
import type { Color } from '../config/types.js';
import { COLORS } from '../config/types.js';
import type { EngineContext } from '../engine/context.js';
import type { EngineLog } from '../engine/deps.js';
import { status } from '../engine/status.js';
import type { KubeClient } from '../kube/types.js';
import {
  actionLog,
  planAction,
  runAction,
  type ActionOutcome,
  type ActionRequest,
  type ActionView,
} from './actions.js';
import { kindsIn, NamespaceWatch, type KindRef } from './object-watch.js';
import type { AppSnapshot, DiscoveredApp, PodReason, StatusView } from './wire.js';
import { discoverApps, MANAGED_SELECTOR } from './discover.js';

export type { AppSnapshot };

/** Builds a fresh engine context for an app: `log` gets its progress, `dryRun` plans only. */
export type ContextFactory = (log: EngineLog, dryRun: boolean) => Promise<EngineContext>;

export interface HubApp {
  id: string;
  configFile: string;
  context: ContextFactory;
}

const BASE_KINDS: KindRef[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' },
];

interface Entry {
  app: HubApp;
  ctx: EngineContext;
  snapshot: AppSnapshot;
  action: ActionView | null;
}

export interface HubOptions {
  kube: KubeClient;
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Status reads after a burst of events wait this long for the burst to end. */
  settleMs: number;
  historyEntries: number;
  onSnapshot: (snapshot: AppSnapshot) => void;
  /** Other managed apps in the watched namespaces changed. */
  onDiscovered: (apps: DiscoveredApp[]) => void;
  onWarning: (message: string) => void;
}

export class AppHub {
  private readonly entries = new Map<string, Entry>();
  private readonly watches = new Map<string, NamespaceWatch>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly stop = new AbortController();
  private readonly discovered = new Map<string, DiscoveredApp[]>();
  private readonly discovering = new Map<string, NodeJS.Timeout>();
  private actions = 0;

  constructor(private readonly options: HubOptions) {}

  async add(app: HubApp): Promise<void> {
    const ctx = await app.context(silent, false);
    const snapshot = emptySnapshot(app, ctx, this.options.clock);
    this.entries.set(app.id, { app, ctx, snapshot, action: null });
    for (const k of BASE_KINDS) this.watchFor(ctx.namespace).add(k);
    await this.refresh(app.id);
  }

  /** Managed apps in the watched namespaces that no config names (read-only). */
  others(): DiscoveredApp[] {
    return [...this.discovered.values()].flat();
  }

  list(): AppSnapshot[] {
    return [...this.entries.values()].map((e) => e.snapshot);
  }

  get(id: string): AppSnapshot | undefined {
    return this.entries.get(id)?.snapshot;
  }

  close(): void {
    this.stop.abort();
    for (const t of [...this.pending.values(), ...this.discovering.values()]) clearTimeout(t);
  }

  private watchFor(namespace: string): NamespaceWatch {
    let w = this.watches.get(namespace);
    if (!w) {
      w = new NamespaceWatch({
        kube: this.options.kube,
        namespace,
        sleep: this.options.sleep,
        signal: this.stop.signal,
        onEvent: (kind) => {
          this.changed(namespace);
          if (kind === 'Deployment') this.rediscover(namespace);
        },
        onError: this.options.onWarning,
      });
      this.watches.set(namespace, w);
    }
    return w;
  }

  /** Something changed in `namespace`: re-read its apps once the burst settles. */
  private changed(namespace: string): void {
    for (const [id, e] of this.entries) {
      if (e.ctx.namespace !== namespace || this.pending.has(id)) continue;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.refresh(id);
      }, this.options.settleMs);
      this.pending.set(id, timer);
    }
  }

  private rediscover(namespace: string): void {
    if (this.discovering.has(namespace)) return;
    const timer = setTimeout(() => {
      this.discovering.delete(namespace);
      const known = new Set(this.entries.keys());
      this.options.kube
        .list('apps/v1', 'Deployment', namespace, { labelSelector: MANAGED_SELECTOR })
        .then((list) => {
          this.discovered.set(namespace, discoverApps(namespace, list.items, known));
          this.options.onDiscovered(this.others());
        })
        .catch((err: unknown) =>
          this.options.onWarning(`listing apps in ${namespace}: ${(err as Error).message}`),
        );
    }, this.options.settleMs);
    this.discovering.set(namespace, timer);
  }

  async refresh(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    const { kube, clock } = this.options;
    try {
      const [st, routes] = await Promise.all([
        status(e.ctx, this.options.historyEntries),
        e.ctx.router.read(kube),
      ]);
      // Watch whatever kinds the app's router keeps its routes in (found in its live state).
      for (const k of kindsIn(routes)) this.watchFor(e.ctx.namespace).add(k);
      const notReady = Object.fromEntries(COLORS.map((c) => [c, st.colors[c].notReady])) as Record<
        Color,
        PodReason[]
      >;
      e.snapshot = {
        ...e.snapshot,
        status: st satisfies StatusView,
        error: null,
        notReady,
        workloads: Object.fromEntries(COLORS.map((c) => [c, st.colors[c].deployment])) as Record<
          Color,
          string | null
        >,
        drainEndsAt: st.drainEndsAt,
        action: e.action,
        readAt: new Date(clock()).toISOString(),
      };
    } catch (err) {
      e.snapshot = {
        ...e.snapshot,
        error: (err as Error).message,
        action: e.action,
        readAt: new Date(clock()).toISOString(),
      };
    }
    this.options.onSnapshot(e.snapshot);
  }

  async plan(id: string, request: ActionRequest): Promise<ActionOutcome> {
    const e = this.mustGet(id);
    return planAction(await e.app.context(silent, true), request);
  }

  /** Starts an action; false when one is already running for this app in this dashboard. */
  start(id: string, request: ActionRequest): ActionView | null {
    const e = this.mustGet(id);
    if (e.action?.state === 'running') return null;
    const { clock } = this.options;
    const view: ActionView = {
      id: `${++this.actions}`,
      app: id,
      action: request.action,
      state: 'running',
      startedAt: new Date(clock()).toISOString(),
      events: [],
      notes: [],
    };
    e.action = view;
    const changed = () => {
      e.snapshot = { ...e.snapshot, action: view };
      this.options.onSnapshot(e.snapshot);
    };
    changed();
    void e.app
      .context(actionLog(view, changed), false)
      .then((ctx) => runAction(ctx, request, view, clock, changed))
      .catch((err: unknown) => {
        view.state = 'failed';
        view.outcome = { exitCode: 1, kind: 'failed', message: (err as Error).message };
        changed();
      })
      .finally(() => void this.refresh(id));
    return view;
  }

  private mustGet(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new Error(`no app ${id}`);
    return e;
  }
}

const silent: EngineLog = { step() {}, info() {}, warn() {} };

function emptySnapshot(app: HubApp, ctx: EngineContext, clock: () => number): AppSnapshot {
  return {
    id: app.id,
    namespace: ctx.namespace,
    app: ctx.app,
    configFile: app.configFile,
    status: null,
    error: null,
    notReady: { blue: [], green: [] },
    workloads: { blue: null, green: null },
    drainSeconds: ctx.config.drainSeconds,
    analysisSeconds: ctx.config.analysis?.postPromotion.durationSeconds ?? 0,
    drainEndsAt: null,
    action: null,
    readAt: new Date(clock()).toISOString(),
  };
}
