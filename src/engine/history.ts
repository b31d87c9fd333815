// The release history: a bounded list in a ConfigMap `<app>-cutover-history`, newest first.
// Written with the resourceVersion just read; a conflicting writer costs one retry.
import { AlreadyExistsError, ConflictError } from '../kube/errors.js';
import type { KubeObject } from '../kube/types.js';
import type { Color } from '../config/types.js';
import type { EngineContext } from './context.js';
import { forHistory } from './redact.js';

export interface HistoryEntry {
  at: string;
  operation: string;
  result: 'done' | 'failed';
  release?: string;
  color?: Color;
  /** The color traffic left (promote, rollback). */
  from?: Color;
  image?: string;
  detail?: string;
  by?: string;
  durationMs?: number;
  /** Set on a rollback cutover did by itself (failed post-promotion analysis). */
  automatic?: boolean;
}

const KEY = 'history.json';

export function historyName(app: string): string {
  return `${app}-cutover-history`;
}

function ref(ctx: EngineContext) {
  return { apiVersion: 'v1', kind: 'ConfigMap', name: historyName(ctx.app), namespace: ctx.namespace };
}

export function parseHistory(cm: KubeObject | undefined): HistoryEntry[] {
  const raw = (cm?.data as Record<string, string> | undefined)?.[KEY];
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list) ? (list as HistoryEntry[]) : [];
  } catch {
    // A corrupt history must not block releases; it is rewritten on the next record.
    return [];
  }
}

export async function readHistory(ctx: EngineContext): Promise<HistoryEntry[]> {
  return parseHistory(await ctx.kube.getOptional(ref(ctx)));
}

export async function recordHistory(ctx: EngineContext, given: HistoryEntry): Promise<void> {
  if (ctx.dryRun) return;
  // Anyone who can read ConfigMaps reads the history: no secret value, and bounded output.
  await ctx.deps.redactor?.pending;
  const clean = ctx.deps.redactor ? ctx.deps.redactor.redactDeep(given) : given;
  const entry = { ...clean, detail: forHistory(ctx.deps.redactor, clean.detail) };
  if (entry.detail === undefined) delete entry.detail;
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeOnce(ctx, entry);
    } catch (err) {
      if (!(err instanceof ConflictError || err instanceof AlreadyExistsError) || attempt >= 3) throw err;
    }
  }
}

async function writeOnce(ctx: EngineContext, entry: HistoryEntry): Promise<void> {
  const current = await ctx.kube.getOptional(ref(ctx));
  const list = [entry, ...parseHistory(current)].slice(0, ctx.config.historyLimit);
  const data = { [KEY]: JSON.stringify(list) };
  if (!current) {
    const labels = { app: ctx.app, 'app.kubernetes.io/managed-by': 'cutover' };
    await ctx.kube.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ref(ctx).name, namespace: ctx.namespace, labels },
      data,
    });
    return;
  }
  await ctx.kube.replace({ ...current, data });
}
