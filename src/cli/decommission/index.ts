// `cutover decommission`: retire the idle color after the drain window.
import type { Command } from '../command.js';
import { decommission, type DecommissionResult } from '../../engine/decommission.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS, str } from '../global-flags.js';
import { stepsText } from '../steps-text.js';
import { colorFlag } from '../deploy/index.js';

export function decommissionText(r: DecommissionResult): string {
  const head = r.dryRun
    ? `plan: decommission ${r.color} (nothing written)`
    : `decommissioned ${r.color}${r.release ? ` (release ${r.release})` : ''}`;
  return `${head}\n${stepsText(r.steps, r.dryRun)}`;
}

const command: Command = {
  path: ['decommission'],
  summary: 'remove the idle color: its routes, then its subset, then its Deployment',
  usage: '[--release ID] [--color blue|green] [--force] [--dry-run] [--no-wait]',
  flags: {
    ...MUTATING_FLAGS,
    color: { type: 'string' },
    force: { type: 'boolean' },
    release: { type: 'string' },
  },
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
