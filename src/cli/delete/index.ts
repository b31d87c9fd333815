// `cutover delete`: remove an app entirely (what cutover created of it), refusing while users
// still reach it unless --force.
import { MUTATING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { deleteApp, type DeleteResult } from '../../engine/delete-app.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS } from '../global-flags.js';
import { stepsText, type ResultView } from '../steps-text.js';

export function deleteText(r: DeleteResult, view?: ResultView): string {
  const head = r.dryRun
    ? `plan: delete app ${r.namespace}/${r.app} (nothing written)`
    : `deleted app ${r.namespace}/${r.app}, its history and its lock`;
  const kept = r.kept.length ? `\nkept (not created by cutover): ${r.kept.join(', ')}` : '';
  return `${head}${kept}\n${stepsText(r.steps, r.dryRun, view)}`;
}

const command: Command = {
  path: ['delete'],
  usage: '[--force] [--dry-run] [--no-wait]',
  description:
    "Removes the routes and what the router made per color (Istio's subsets, Gateway API's color Services, the Service router's app and preview Services), both colors, the Service and the Gateway (when cutover created them and no other app's route uses it), then the history and the lock. Objects without the label app.kubernetes.io/managed-by: cutover are kept and listed. Refused (exit 3) while plain requests through the data plane are still answered by this app.",
  flags: {
    ...MUTATING_FLAGS,
    force: {
      type: 'boolean',
      description: 'delete even while plain traffic still reaches the app',
    },
  },
  examples: [
    { command: 'delete --dry-run', description: 'list what would be deleted and what kept' },
    { command: 'delete --force', description: 'delete although users still reach the app' },
  ],
  exitCodes: MUTATING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, options, out, kube }) => {
      const result = await deleteApp(ctx, { force: args.values.force === true, noWait: options.noWait });
      out.result(withRequests(result, kube), deleteText);
      return 0;
    });
  },
};
export default command;
