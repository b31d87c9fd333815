// Operations are lists of named steps. A step may plan writes (pure, from the view) and may then
// run something that is not a write (wait, verify, exec). A real run applies each write and
// feeds the answer back into the view; a dry run applies it to the view only and skips `run`,
// so both walk the same steps in the same order.
import { OperationFailedError } from '../errors.js';
import { ConflictError, NotFoundError } from '../kube/errors.js';
import type { KubeObject } from '../kube/types.js';
import type { ObjectChange } from '../routers/types.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { redactChange } from './redact.js';

export interface Step {
  name: string;
  /** The writes this step needs, given what we know now. Empty when already done. */
  plan?: (view: ClusterView) => ObjectChange[];
  /** Work after the writes. Returns a detail for the log. Not run in a dry run. */
  run?: (view: ClusterView) => Promise<string | void>;
  /** What `run` does, printed by a dry run. */
  describe?: string;
}

export interface StepRecord {
  name: string;
  status: 'done' | 'skipped' | 'planned';
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
  for (const change of changes) {
    ctx.lock?.assertHeld();
    await applyChange(ctx, change, view);
  }
  const detail = step.run ? await step.run(view) : undefined;
  const nothing = changes.length === 0 && !step.run;
  return {
    name: step.name,
    status: nothing ? 'skipped' : 'done',
    changes: changes.map(redactChange),
    detail: detail || changes.map((c) => c.reason).join('; ') || 'already in place',
    ms: 0,
  };
}

/** Applies one change and records the server's answer in the view. */
export async function applyChange(
  ctx: EngineContext,
  change: ObjectChange,
  view: ClusterView,
): Promise<void> {
  const ref = {
    apiVersion: change.apiVersion,
    kind: change.kind,
    name: change.name,
    namespace: change.namespace,
  };
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
    if (err instanceof ConflictError) {
      throw new OperationFailedError(
        `${change.kind} ${change.namespace}/${change.name} changed while cutover was writing it (${change.reason})`,
        { cause: err, remedy: 'someone else edited it; check `cutover status`, then re-run the command' },
      );
    }
    throw err;
  }
}
