// Text rendering of the steps an operation ran or plans (dry run).
import type { StepRecord } from '../engine/steps.js';

export function stepsText(steps: StepRecord[], dryRun: boolean): string {
  const lines: string[] = [];
  for (const s of steps) {
    const mark = dryRun ? '-' : s.status === 'skipped' ? '•' : s.status === 'failed' ? '✖' : '✔';
    lines.push(`${mark} ${s.name}${s.detail ? `: ${s.detail}` : ''}`);
    if (dryRun) for (const c of s.changes) lines.push(`    ${c.action} ${c.kind} ${c.namespace}/${c.name}`);
  }
  return lines.join('\n');
}
