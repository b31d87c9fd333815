// What promote and rollback print: the switch, its timing and its steps. Apart from the promote
// command so that rollback's start-up loads none of promote's analysis.
import type { SwitchResult } from '../engine/switch.js';
import { stepsText, type ResultView } from './steps-text.js';

export function switchText(r: SwitchResult, view?: ResultView): string {
  const verb = r.operation === 'promote' ? 'promoted' : 'rolled back to';
  if (r.dryRun)
    return `plan: ${r.operation} to ${r.color} (release ${r.release ?? '?'}; nothing written)\n${stepsText(r.steps, true)}`;
  const timing =
    r.timeToEffectMs !== null
      ? `; in effect after ${r.timeToEffectMs} ms, verified after ${r.verifiedMs} ms`
      : r.unverified
        ? `; ${r.unverified}`
        : '';
  const analysis = r.analysis
    ? `\npost-promotion analysis ${r.analysis.verdict} in ${(r.analysis.durationMs / 1000).toFixed(1)} s: ${r.analysis.metrics.map((m) => `${m.name} ${m.values.at(-1) ?? '-'} (${m.limit})`).join(', ')}`
    : '';
  return `${verb} ${r.color} (release ${r.release ?? '?'})${r.previousColor ? `, from ${r.previousColor}` : ''}${timing}\n${stepsText(r.steps, false, view)}${analysis}`;
}
