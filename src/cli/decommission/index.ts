// `cutover decommission`: retire the idle color after the drain window.
import { MUTATING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { decommission, type DecommissionResult } from '../../engine/decommission.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS, str, RELEASE_FLAG } from '../global-flags.js';
import { stepsText, type ResultView } from '../steps-text.js';
import { colorFlag } from '../deploy/index.js';

export function decommissionText(r: DecommissionResult, view?: ResultView): string {
  const head = r.dryRun
    ? `plan: decommission ${r.color} (nothing written)`
    : `decommissioned ${r.color}${r.release ? ` (release ${r.release})` : ''}`;
  return `${head}\n${stepsText(r.steps, r.dryRun, view)}`;
}

const command: Command = {
  path: ['decommission'],
  usage: '[--release ID] [--color blue|green] [--force] [--dry-run] [--no-wait]',
  flags: {
    ...MUTATING_FLAGS,
    color: {
      type: 'string',
      value: 'blue|green',
      description: 'the color to remove',
      defaultText: 'the idle color',
    },
    force: {
      type: 'boolean',
      description: 'remove it even though it was never promoted or the drain window has not passed',
    },
    release: RELEASE_FLAG,
  },
  exitCodes: MUTATING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, options, out, kube }) => {
      const result = await decommission(ctx, {
        color: colorFlag(str(args, 'color')),
        force: args.values.force === true,
        release: str(args, 'release'),
        noWait: options.noWait,
      });
      out.result(withRequests(result, kube), decommissionText);
      return 0;
    });
  },
};
export default command;
