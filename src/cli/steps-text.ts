// Text rendering of the steps an operation ran or plans (dry run).
import type { StepRecord } from '../engine/steps.js';

/** How the result is shown: `live` when the steps were already drawn on this terminal. */
export interface ResultView {
  live: boolean;
}

/**
 * The steps under a result. On a terminal a run's steps are already on screen (the live display
 * keeps each finished step), so the result does not print them a second time; a dry run's plan,
 * CI logs and pipes get them.
 */
export function stepsText(steps: StepRecord[], dryRun: boolean, view?: ResultView): string {
  if (view?.live && !dryRun) return '';
  const lines: string[] = [];
  for (const s of steps) {
    const mark = dryRun ? '-' : s.status === 'skipped' ? '•' : s.status === 'failed' ? '✖' : '✔';
    lines.push(`${mark} ${s.name}${s.detail ? `: ${s.detail}` : ''}`);
    if (dryRun) for (const c of s.changes) lines.push(`    ${c.action} ${c.kind} ${c.namespace}/${c.name}`);
  }
  return lines.join('\n');
}
