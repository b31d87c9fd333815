// The dashboard's buttons: the same engine functions as `cutover promote|rollback|decommission`,
// with the same guards, lock and history. A plan is the engine's dry run; an action runs the
// operation and reports each step as it happens. Errors keep the CLI's meaning: the exit code the
// CLI would give, the message and the fix.
import { CutoverError, EXIT_CODES } from '../errors.js';
import { decommission } from '../engine/decommission.js';
import type { EngineContext } from '../engine/context.js';
import type { EngineLog } from '../engine/deps.js';
import { promote, type SwitchResult } from '../engine/promote.js';
import { rollback } from '../engine/rollback.js';
import type { StepRecord } from '../engine/steps.js';
import type { ActionName, ActionOutcome, ActionView, PlannedStep } from './wire.js';

export type { ActionName, ActionOutcome, ActionView };

export const ACTIONS: readonly ActionName[] = ['promote', 'rollback', 'decommission'];

export function isAction(value: unknown): value is ActionName {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

export interface ActionRequest {
  action: ActionName;
  /** promote: the release to promote; rollback/decommission: the live release they act on. */
  release?: string;
}

type Result = SwitchResult | { color: string; release: string | null; steps: StepRecord[] };

function stepsOf(steps: StepRecord[]): PlannedStep[] {
  return steps.map((s) => ({
    name: s.name,
    status: s.status,
    detail: s.detail,
    writes: s.changes.map((c) => `${c.action} ${c.kind} ${c.namespace}/${c.name}: ${c.reason}`),
  }));
}

function call(ctx: EngineContext, request: ActionRequest): Promise<Result> {
  switch (request.action) {
    case 'promote':
      return promote(ctx, { release: request.release, noWait: true });
    case 'rollback':
      return rollback(ctx, { release: request.release, noWait: true });
    case 'decommission':
      return decommission(ctx, { release: request.release, noWait: true });
  }
}

const KINDS: Record<CutoverError['kind'], ActionOutcome['kind']> = {
  failed: 'failed',
  input: 'bad-input',
  guard: 'refused',
  lock: 'lock',
  unreachable: 'unreachable',
};

export function outcomeOfError(err: unknown): ActionOutcome {
  if (err instanceof CutoverError) {
    return {
      exitCode: EXIT_CODES[err.kind],
      kind: KINDS[err.kind],
      message: err.message,
      remedy: err.remedy,
    };
  }
  return { exitCode: 1, kind: 'failed', message: err instanceof Error ? err.message : String(err) };
}

export function outcomeOf(request: ActionRequest, result: Result): ActionOutcome {
  const verb = { promote: 'promoted', rollback: 'rolled back to', decommission: 'decommissioned' }[
    request.action
  ];
  const timing =
    'timeToEffectMs' in result && result.timeToEffectMs !== null
      ? `; in effect at the gateway after ${result.timeToEffectMs} ms, verified after ${result.verifiedMs} ms`
      : '';
  return {
    exitCode: 0,
    kind: 'done',
    message: `${verb} ${result.color} (release ${result.release ?? '?'})${timing}`,
    color: result.color,
    release: result.release,
    timeToEffectMs: 'timeToEffectMs' in result ? result.timeToEffectMs : undefined,
    verifiedMs: 'verifiedMs' in result ? result.verifiedMs : undefined,
    steps: stepsOf(result.steps),
  };
}

/** What the button would do: the engine's dry run (guards included), nothing written. */
export async function planAction(ctx: EngineContext, request: ActionRequest): Promise<ActionOutcome> {
  try {
    const result = await call(ctx, request);
    return {
      ...outcomeOf(request, result),
      message: `plan: ${request.action} to ${result.color} (release ${result.release ?? '?'}); nothing written yet`,
    };
  } catch (err) {
    return outcomeOfError(err);
  }
}

/** A log that records every step event of a running action and tells the page. */
export function actionLog(view: ActionView, changed: () => void): EngineLog {
  return {
    step(event) {
      view.events.push(event);
      changed();
    },
    info(message) {
      view.notes.push(message);
      changed();
    },
    warn(message) {
      view.notes.push(`warning: ${message}`);
      changed();
    },
  };
}

/** Runs the action to its end; never throws (the outcome says what happened). */
export async function runAction(
  ctx: EngineContext,
  request: ActionRequest,
  view: ActionView,
  clock: () => number,
  changed: () => void,
): Promise<void> {
  try {
    view.outcome = outcomeOf(request, await call(ctx, request));
    view.state = 'done';
  } catch (err) {
    view.outcome = outcomeOfError(err);
    view.state = view.outcome.kind === 'refused' ? 'refused' : 'failed';
  }
  view.endedAt = new Date(clock()).toISOString();
  changed();
}
