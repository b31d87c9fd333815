// What the dashboard's API and event stream carry: the page's view of the engine's results.
// Self-contained (no imports), so the page script compiles on its own with the DOM library;
// the server's values are checked against these types where it builds them (app-hub.ts,
// actions.ts), so a change of the engine's results that the page cannot read fails the build.

export type Color = 'blue' | 'green';

export interface StepEventView {
  operation: string;
  step: string;
  status: 'start' | 'done' | 'planned' | 'skipped' | 'failed';
  detail?: string;
  ms?: number;
}

export interface ColorView {
  deployment: string | null;
  release: string | null;
  image: string | null;
  replicas: number;
  ready: number;
  allReady: boolean;
  live: boolean;
  underTest: boolean;
  hasSubset: boolean;
  /** What decommission still removes for a color with no workload, in the router's words. */
  leftover: string | null;
  tested: { release: string; result: 'passed' | 'failed'; at: string } | null;
  /** Post-promotion analysis of this color's release. */
  analysis: { release: string; state: string; at: string; detail?: string } | null;
}

export interface HistoryView {
  at: string;
  operation: string;
  result: 'done' | 'failed';
  release?: string;
  color?: Color;
  detail?: string;
  by?: string;
}

export interface StatusView {
  activeColor: Color | null;
  testColor: Color | null;
  release: string | null;
  previousColor: Color | null;
  switchedAt: string | null;
  colors: Record<Color, ColorView>;
  routes: Array<{ name: string | null; color: string | null; match: boolean }>;
  /** Routing objects cutover made for the app that cutover.yaml no longer names (orphaned, retired). */
  strayRoutes: Array<{
    object: string;
    state: 'orphaned' | 'retired';
    colors: Color[];
    via: string | null;
    retiredBy: string | null;
    fix: string;
  }>;
  strayRoutesUnchecked: string | null;
  lock: { held: boolean; holder?: string; summary: string };
  history: HistoryView[];
}

export interface PodReason {
  pod: string;
  container?: string;
  reason: string;
  message?: string;
}

export interface PlannedStep {
  name: string;
  status: 'done' | 'skipped' | 'planned' | 'failed';
  detail?: string;
  writes: string[];
}

export interface ActionOutcome {
  /** The CLI's exit code for the same run. */
  exitCode: number;
  kind: 'done' | 'refused' | 'failed' | 'bad-input' | 'lock' | 'unreachable';
  message: string;
  remedy?: string;
  color?: string;
  release?: string | null;
  timeToEffectMs?: number | null;
  verifiedMs?: number | null;
  steps?: PlannedStep[];
}

export type ActionName = 'promote' | 'rollback' | 'decommission';

export interface ActionView {
  id: string;
  app: string;
  action: ActionName;
  state: 'running' | 'done' | 'refused' | 'failed';
  startedAt: string;
  endedAt?: string;
  events: StepEventView[];
  notes: string[];
  outcome?: ActionOutcome;
}

export interface TrafficPoint {
  /** Milliseconds since the epoch, at the end of the interval. */
  at: number;
  rps: number;
  /** Share of 5xx answers in the interval, 0–1; null when there were no requests. */
  errorRate: number | null;
  /** 99th percentile in ms (histogram interpolation as Prometheus does); null without requests. */
  p99Ms: number | null;
}

export interface AppSnapshot {
  id: string;
  namespace: string;
  app: string;
  configFile: string;
  status: StatusView | null;
  /** Why the status could not be read (the cluster's words). */
  error: string | null;
  notReady: Record<Color, PodReason[]>;
  /** Deployment name per color, to match traffic samples (`namespace/workload`). */
  workloads: Record<Color, string | null>;
  drainSeconds: number;
  /** Post-promotion analysis window in seconds; 0 when the app has no analysis. */
  analysisSeconds: number;
  /** When the old color may be decommissioned (the last switch + the drain window). */
  drainEndsAt: string | null;
  action: ActionView | null;
  readAt: string;
}

/** An app as the API sends it: the snapshot and the traffic points drawn so far. */
export type AppData = AppSnapshot & { traffic: Record<Color, TrafficPoint[]> };

/** An app cutover manages in a watched namespace that no cutover.yaml given to the dashboard names. */
export interface DiscoveredApp {
  id: string;
  namespace: string;
  app: string;
  colors: Partial<
    Record<Color, { deployment: string; release: string | null; ready: number; replicas: number }>
  >;
}
