// `cutover migrate`: move the live routing from objects an earlier cutover.yaml made to the ones
// cutover.yaml names now, make before break (src/engine/migrate.ts).
import { MUTATING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { migrate, type MigrateResult } from '../../engine/migrate.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS } from '../global-flags.js';
import { stepsText, type ResultView } from '../steps-text.js';

export function migrateText(r: MigrateResult, view?: ResultView): string {
  if (!r.color) return `nothing to migrate: no object cutover made for ${r.app} serves users besides ${r.to}`;
  const what = `the live routing of ${r.app} (${r.color}${r.release ? `, release ${r.release}` : ''}) from ${r.from.join(', ')} to ${r.to}`;
  const head = r.dryRun ? `plan: migrate ${what} (nothing written)` : `migrated ${what}`;
  const manual = r.manual ? `\nleft to do by hand: ${r.manual}` : '';
  return `${head}\n${stepsText(r.steps, r.dryRun, view)}${manual}`;
}

const command: Command = {
  path: ['migrate'],
  usage: '[--dry-run] [--no-wait]',
  description:
    'After a cutover.yaml change that renames the routing objects (another manifests folder, other names) or changes `router:`, the objects cutover made before still serve users. migrate points the objects cutover.yaml names now at the same live color (one write, accepted and verified), then deletes the old ones when they share the data plane, or marks them retired and says what to move by hand when users reach them elsewhere.',
  flags: { ...MUTATING_FLAGS },
  examples: [
    {
      command: 'migrate --dry-run',
      description: 'show which old objects would be replaced, writing nothing',
    },
  ],
  exitCodes: MUTATING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, options, out, kube }) => {
      const result = await migrate(ctx, { noWait: options.noWait });
      out.result(withRequests(result, kube), migrateText);
      return 0;
    });
  },
};
export default command;
