// `cutover promote`: all traffic to the tested color, verified through the gateway.
import { MUTATING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { promote, type SwitchResult } from '../../engine/promote.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS, str, RELEASE_FLAG } from '../global-flags.js';
import { stepsText, type ResultView } from '../steps-text.js';

export function switchText(r: SwitchResult, view?: ResultView): string {
  const verb = r.operation === 'promote' ? 'promoted' : 'rolled back to';
  if (r.dryRun)
    return `plan: ${r.operation} to ${r.color} (release ${r.release ?? '?'}; nothing written)\n${stepsText(r.steps, true)}`;
  const timing =
    r.timeToEffectMs !== null
      ? `; in effect after ${r.timeToEffectMs} ms, verified after ${r.verifiedMs} ms`
      : '';
  const analysis = r.analysis
    ? `\npost-promotion analysis ${r.analysis.verdict} in ${(r.analysis.durationMs / 1000).toFixed(1)} s: ${r.analysis.metrics.map((m) => `${m.name} ${m.values.at(-1) ?? '-'} (${m.limit})`).join(', ')}`
    : '';
  return `${verb} ${r.color} (release ${r.release ?? '?'})${r.previousColor ? `, from ${r.previousColor}` : ''}${timing}\n${stepsText(r.steps, false, view)}${analysis}`;
}

const command: Command = {
  path: ['promote'],
  usage: '[--release ID] [--dry-run] [--no-wait]',
  flags: {
    ...MUTATING_FLAGS,
    release: RELEASE_FLAG,
  },
  exitCodes: MUTATING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, options, out, kube }) => {
      const result = await promote(ctx, { release: str(args, 'release'), noWait: options.noWait });
      out.result(withRequests(result, kube), switchText);
      return 0;
    });
  },
};
export default command;
