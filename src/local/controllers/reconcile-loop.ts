// A level-triggered reconcile loop: any number of triggers coalesce into one pass, each pass
// re-reads the world from the store, and a pass may ask to run again at a later time (for the
// clocks in the Kubernetes API: minReadySeconds, progressDeadlineSeconds).
//
// What must stay true: a pass never runs inside a store watch callback (the store calls watchers
// synchronously, in the middle of someone else's write), and never two passes at once.
import { isApiError } from '../store/api-error.js';

export interface ReconcileLoop {
  /** Run a pass soon (coalesced with other triggers). */
  trigger(): void;
  stop(): Promise<void>;
}

/** A pass returns the epoch milliseconds at which it wants to run again, if any. */
export type ReconcilePass = () => number | undefined | void;

export interface LoopOptions {
  log?: (line: string) => void;
  /** Delay before retrying after an unexpected error. */
  errorRetryMs?: number;
}

export function startReconcileLoop(
  name: string,
  pass: ReconcilePass,
  options: LoopOptions = {},
): ReconcileLoop {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  let scheduled: NodeJS.Immediate | undefined;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let stopped = false;

  const wakeAt = (at: number) => {
    if (stopped || at >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(
      () => {
        timer = undefined;
        timerAt = Infinity;
        trigger();
      },
      Math.max(0, at - Date.now()),
    );
  };

  const run = () => {
    scheduled = undefined;
    if (stopped) return;
    try {
      const next = pass();
      if (typeof next === 'number') wakeAt(next);
    } catch (err) {
      // A 409 means someone wrote between our read and our write: re-read and try again.
      const conflict = isApiError(err) && err.code === 409;
      if (!conflict) log(`${name}: ${(err as Error).stack ?? String(err)}`);
      wakeAt(Date.now() + (conflict ? 5 : (options.errorRetryMs ?? 1000)));
    }
  };

  function trigger(): void {
    if (stopped || scheduled) return;
    scheduled = setImmediate(run);
  }

  trigger();
  return {
    trigger,
    async stop() {
      stopped = true;
      if (scheduled) clearImmediate(scheduled);
      if (timer) clearTimeout(timer);
    },
  };
}
