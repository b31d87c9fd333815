// A route is trusted only once its controller accepted it. After a step writes routes, the engine
// asks the router (awaitAccepted, for routers whose controller reports status, such as Gateway
// API's status.parents[].conditions) and, when the controller rejects the write or never judges
// it, puts the written objects back as they were before the step — users keep the routes they
// had — and fails with the controller's words. Nothing after the write (probes, the next step)
// relies on a route the data plane may not serve.
import { OperationFailedError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';
import type { ObjectChange } from '../routers/types.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { applyChange, sameContent } from './steps.js';

/** The objects a step's changes touch, as the view knew them before the writes. */
export function beforeWrites(view: ClusterView, changes: ObjectChange[]): Array<[ObjectChange, KubeObject?]> {
  return changes.map((c) => [c, view.get(c.kind, c.name)]);
}

/**
 * Waits (verifyTimeoutSeconds at most) until the controller accepted the routes just written; on
 * a rejection or silence, undoes the writes and throws the router's error with what was undone.
 */
export async function mustBeAccepted(
  ctx: EngineContext,
  view: ClusterView,
  written: Array<[ObjectChange, KubeObject?]>,
): Promise<string | undefined> {
  const router = ctx.router;
  if (!router.awaitAccepted || written.length === 0) return undefined;
  const started = ctx.deps.clock();
  try {
    await router.awaitAccepted(ctx.kube, {
      timeoutMs: ctx.config.verifyTimeoutSeconds * 1000,
      clock: ctx.deps.clock,
      sleep: (ms) => ctx.deps.sleep(ms, ctx.deps.signal),
    });
    return `accepted by the controller after ${ctx.deps.clock() - started} ms`;
  } catch (err) {
    if (!(err instanceof OperationFailedError) || ctx.deps.signal?.aborted) throw err;
    const undone = await undo(ctx, view, written);
    throw new OperationFailedError(`${err.message}. ${undone}`, { cause: err, remedy: err.remedy });
  }
}

/** Puts each written object back (newest write first); says what it did, in words. */
async function undo(
  ctx: EngineContext,
  view: ClusterView,
  written: Array<[ObjectChange, KubeObject?]>,
): Promise<string> {
  const done: string[] = [];
  try {
    for (const [change, previous] of [...written].reverse()) {
      const now = await current(ctx, view, change);
      const back = restoreChange(change, previous, now);
      if (!back) continue;
      ctx.lock?.assertHeld();
      await applyChange(ctx, back, view);
      done.push(
        `${change.kind} ${change.namespace}/${change.name} ${previous ? 'put back as it was' : 'deleted'}`,
      );
    }
  } catch (err) {
    const what = err instanceof Error ? err.message : String(err);
    return `Putting the routes back failed (${what}); \`cutover status\` shows where plain traffic goes`;
  }
  return done.length
    ? `${done.join(', ')}: plain traffic was not moved`
    : 'Nothing was changed: plain traffic was not moved';
}

/**
 * The object as it is now. The controller's status writes have moved its resourceVersion since
 * ours; any other change means someone edited it meanwhile, and then nothing is put back over it.
 */
async function current(
  ctx: EngineContext,
  view: ClusterView,
  change: ObjectChange,
): Promise<KubeObject | undefined> {
  const ours = view.get(change.kind, change.name);
  const fresh = await ctx.kube.getOptional(
    { apiVersion: change.apiVersion, kind: change.kind, name: change.name, namespace: change.namespace },
    { signal: ctx.deps.signal },
  );
  if (fresh && ours && !sameContent(fresh, ours))
    throw new OperationFailedError(
      `${change.kind} ${change.namespace}/${change.name} was edited by someone else`,
    );
  if (fresh) view.set(fresh);
  return fresh;
}

/** The write that undoes `change`: the previous object again, or the delete of a created one. */
export function restoreChange(
  change: ObjectChange,
  previous: KubeObject | undefined,
  now: KubeObject | undefined,
): ObjectChange | undefined {
  const ref = {
    apiVersion: change.apiVersion,
    kind: change.kind,
    namespace: change.namespace,
    name: change.name,
  };
  if (change.action === 'delete') {
    if (!previous || now) return undefined;
    const {
      resourceVersion: _rv,
      uid: _uid,
      creationTimestamp: _ct,
      generation: _g,
      ...metadata
    } = previous.metadata;
    void [_rv, _uid, _ct, _g];
    const { status: _status, ...rest } = previous;
    void _status;
    return {
      action: 'create',
      ...ref,
      reason: `create ${change.kind} ${change.name} again`,
      object: { ...rest, metadata },
    };
  }
  if (!now) return undefined;
  if (!previous)
    return {
      action: 'delete',
      ...ref,
      reason: `delete ${change.kind} ${change.name}, which the controller did not accept`,
      resourceVersion: now.metadata.resourceVersion,
    };
  // The previous content under the current resourceVersion: a conditional write, so an edit by
  // someone else since is never overwritten.
  const { status: _status, ...rest } = previous;
  void _status;
  return {
    action: 'replace',
    ...ref,
    reason: `put ${change.kind} ${change.name} back as it was`,
    object: { ...rest, metadata: { ...previous.metadata, resourceVersion: now.metadata.resourceVersion } },
  };
}
