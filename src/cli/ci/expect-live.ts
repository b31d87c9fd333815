// `cutover ci expect-live RELEASE`: exit 0 when RELEASE is the live release (the one the default
// route serves), else exit 3. The generated rollback and decommission steps run it first, so a
// button of an older release's pipeline cannot roll back or clean up after a newer one: those
// commands act on whatever is live and take no release of their own. Read-only; no lock needed,
// as the CI queue runs release steps one at a time.
import type { Command } from '../command.js';
import { colorStateOf, readAppState, routesOf } from '../../engine/app-state.js';
import { labelSafe } from '../../engine/release-id.js';
import { GuardError, InputError } from '../../errors.js';
import { withSession } from '../engine-session.js';
import { GLOBAL_FLAGS } from '../global-flags.js';

interface LiveResult {
  release: string;
  live: { color: string | null; release: string | null };
  matches: boolean;
}

const command: Command = {
  path: ['ci', 'expect-live'],
  summary: 'exit 0 if RELEASE is the live release, 3 if another one is (guards rollback/decommission steps)',
  usage: 'RELEASE',
  flags: { ...GLOBAL_FLAGS },
  async run(args, io) {
    if (args.positionals.length !== 1) {
      throw new InputError('cutover ci expect-live takes exactly one release', {
        remedy: 'run `cutover ci expect-live v1.2.0-green`',
      });
    }
    const wanted = labelSafe(args.positionals[0]);
    return withSession(args, io, async ({ ctx, out }) => {
      const view = await readAppState(ctx);
      const active = routesOf(ctx, view).activeColor;
      const release = active ? (colorStateOf(ctx, view, active).release ?? null) : null;
      if (release !== wanted) {
        throw new GuardError(
          `release ${wanted} is not live: ${active ? `${active} serves ${release ?? 'an unlabelled release'}` : 'no color serves traffic yet'}.`,
          {
            remedy: `run this step from the pipeline of the live release${release ? ` (${release})` : ''}, or check \`cutover status\``,
          },
        );
      }
      const result: LiveResult = { release: wanted, live: { color: active ?? null, release }, matches: true };
      out.result(result, (r) => `release ${r.release} is live on ${r.live.color}`);
      return 0;
    });
  },
};

export default command;
