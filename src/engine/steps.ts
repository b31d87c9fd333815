// Operations are lists of named steps. A step may plan writes (pure, from the view) and may then
// run something that is not a write (wait, verify, exec). A real run applies each write and
// feeds the answer back into the view; a dry run applies it to the view only and skips `run`,
// so both walk the same steps in the same order.
import { isDeepStrictEqual } from 'node:util';
import { OperationFailedError } from '../errors.js';
import { ConflictError, NotFoundError } from '../kube/errors.js';
import { unsettledWriteOf } from '../kube/unsettled-write.js';
import type { KubeObject } from '../kube/types.js';
import type { ObjectChange } from '../routers/types.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { redactChange } from './redact.js';
import { beforeWrites, mustBeAccepted } from './route-acceptance.js';

export interface Step {
  name: string;
  /** The writes this step needs, given what we know now. Empty when already done. */
  plan?: (view: ClusterView) => ObjectChange[];
  /**
   * Work after the writes. Returns a detail for the log, or a failed outcome: the step is marked
   * failed (✖) and the operation goes on, for steps that record their own failure (smoke tests
   * record a failed verdict, then the operation fails). Not run in a dry run.
   */
  run?: (view: ClusterView) => Promise<string | void | FailedStep>;
  /** What `run` does, printed by a dry run. */
  describe?: string;
  /**
   * The step writes routes: before `run` relies on them, the router's controller must accept
   * them (route-acceptance.ts); a rejected write is undone and the step fails.
   */
  routes?: boolean;
}

/**
 * A step named by the router in its own words (`TrafficRouter.stepNames`), or none when the
 * router needs nothing at that point.
 */
export function routerStep(name: string | undefined, plan: (view: ClusterView) => ObjectChange[]): Step[] {
  return name === undefined ? [] : [{ name, plan }];
}

/** What a step that found failures returns instead of throwing. */
export interface FailedStep {
  failed: true;
  detail: string;
}

export interface StepRecord {
  name: string;
  status: 'done' | 'skipped' | 'planned' | 'failed';
  changes: ObjectChange[];
  detail?: string;
  ms: number;
}

export async function runSteps(
  ctx: EngineContext,
  operation: string,
  steps: Step[],
  view: ClusterView,
): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  for (const step of steps) {
    ctx.deps.signal?.throwIfAborted();
    const started = ctx.deps.clock();
    ctx.deps.log.step({ operation, step: step.name, status: 'start' });
    const record = await runStep(ctx, step, view).catch((err: unknown) => {
      ctx.deps.log.step({ operation, step: step.name, status: 'failed', detail: (err as Error).message });
      throw err;
    });
    record.ms = ctx.deps.clock() - started;
    ctx.deps.log.step({
      operation,
      step: step.name,
      status: record.status,
      detail: record.detail,
      ms: record.ms,
    });
    records.push(record);
    await ctx.deps.afterStep?.(operation, step.name);
  }
  return records;
}

async function runStep(ctx: EngineContext, step: Step, view: ClusterView): Promise<StepRecord> {
  const changes = step.plan ? step.plan(view) : [];
  if (ctx.dryRun) {
    for (const change of changes) view.simulate(change);
    const detail = [
      ...changes.map((c) => c.reason),
      ...(step.run && step.describe ? [step.describe] : []),
    ].join('; ');
    return {
      name: step.name,
      status: 'planned',
      changes: changes.map(redactChange),
      detail: detail || 'nothing to do',
      ms: 0,
    };
  }
  const before = step.routes ? beforeWrites(view, changes) : [];
  await applyWithReplan(ctx, step, view, changes);
  const accepted = step.routes ? await mustBeAccepted(ctx, view, before) : undefined;
  const outcome = step.run ? await step.run(view) : undefined;
  const failed = typeof outcome === 'object';
  const said = failed
    ? outcome.detail
    : outcome || changes.map((c) => c.reason).join('; ') || 'already in place';
  const nothing = changes.length === 0 && !step.run;
  return {
    name: step.name,
    status: failed ? 'failed' : nothing ? 'skipped' : 'done',
    changes: changes.map(redactChange),
    detail: accepted && !failed ? `${said} (routes ${accepted})` : said,
    ms: 0,
  };
}

const REPLANS = 3;

/**
 * Applies a step's changes. A 409 on a conditional write is never repeated as it was: the object
 * is re-read, and only when what it says is unchanged (someone bumped its resourceVersion, e.g.
 * a controller's status update, or a proxy answered 409) is the step planned again from the fresh
 * view; a real edit by someone else stops the operation, as before.
 */
async function applyWithReplan(
  ctx: EngineContext,
  step: Step,
  view: ClusterView,
  changes: ObjectChange[],
): Promise<void> {
  let pending = changes;
  for (let attempt = 1; ; attempt++) {
    let change: ObjectChange | undefined;
    try {
      for (change of pending) {
        ctx.lock?.assertHeld();
        await writeChange(ctx, change, view);
      }
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || !change) throw err;
      const fresh = await ctx.kube.getOptional(refOf(change), { signal: ctx.deps.signal });
      const known = view.get(change.kind, change.name);
      if (attempt > REPLANS || !step.plan || !fresh || !known || !sameContent(known, fresh)) {
        throw changedWhileWriting(change, err);
      }
      ctx.deps.log.warn(
        `${change.kind} ${change.namespace}/${change.name}: conflict on write, but its content is unchanged (resourceVersion ${known.metadata.resourceVersion} → ${fresh.metadata.resourceVersion}); planning "${step.name}" again`,
      );
      view.set(fresh);
      pending = step.plan(view);
    }
  }
}

/** Same spec, data, labels and annotations: only resourceVersion, status or bookkeeping moved. */
export function sameContent(a: KubeObject, b: KubeObject): boolean {
  const content = (o: KubeObject) => {
    const { metadata, status: _status, ...rest } = o;
    void _status;
    return { rest, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} };
  };
  return isDeepStrictEqual(content(a), content(b));
}

function refOf(change: ObjectChange) {
  return { apiVersion: change.apiVersion, kind: change.kind, name: change.name, namespace: change.namespace };
}

function changedWhileWriting(change: ObjectChange, cause: ConflictError): OperationFailedError {
  return new OperationFailedError(
    `${change.kind} ${change.namespace}/${change.name} changed while cutover was writing it (${change.reason})`,
    { cause, remedy: 'someone else edited it; check `cutover status`, then re-run the command' },
  );
}

/** Applies one change and records the server's answer in the view. */
export async function applyChange(
  ctx: EngineContext,
  change: ObjectChange,
  view: ClusterView,
): Promise<void> {
  try {
    await writeChange(ctx, change, view);
  } catch (err) {
    throw err instanceof ConflictError ? changedWhileWriting(change, err) : err;
  }
}

/** One write; ConflictError is left to the caller. */
async function writeChange(ctx: EngineContext, change: ObjectChange, view: ClusterView): Promise<void> {
  const ref = refOf(change);
  try {
    let result: KubeObject | undefined;
    if (change.action === 'create') result = await ctx.kube.create(change.object!);
    else if (change.action === 'replace') result = await ctx.kube.replace(change.object!);
    else if (change.action === 'merge-patch') result = await ctx.kube.mergePatch(ref, change.patch ?? {});
    else await ctx.kube.delete(ref, { resourceVersion: change.resourceVersion });
    view.put(change.kind, change.name, result);
  } catch (err) {
    if (change.action === 'delete' && err instanceof NotFoundError)
      return view.remove(change.kind, change.name);
    const confirmed = await confirmLostWrite(ctx, err);
    if (!confirmed) throw err;
    if (confirmed.object) view.put(change.kind, change.name, confirmed.object);
    else view.remove(change.kind, change.name);
  }
}

/**
 * The client gave up on a write whose answer was lost without learning its outcome (its read-back
 * failed: the API server dropped out for a while after applying it). One more read, with the
 * client's full retries, before the operation fails: applied means the step goes on as if the
 * answer had arrived. A stopped run does not read (its requests are aborted); it settles later.
 */
async function confirmLostWrite(
  ctx: EngineContext,
  err: unknown,
): Promise<{ object: KubeObject | undefined } | undefined> {
  const lost = unsettledWriteOf(err);
  if (!lost || ctx.deps.signal?.aborted) return undefined;
  try {
    const verdict = lost.judge(await ctx.kube.getOptional(lost.ref, { signal: ctx.deps.signal }));
    if (verdict.outcome !== 'applied') return undefined;
    ctx.deps.log.warn(`${lost.what}: the write took effect (read back after the API server answered again)`);
    return { object: verdict.object as KubeObject | undefined };
  } catch {
    // Still no answer: the operation fails with the write's own error, settled on the way out.
    return undefined;
  }
}
