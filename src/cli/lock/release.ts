// `cutover lock release --force`: free a lock whose holder is gone. Forcing is explicit because
// a live holder would keep writing without knowing it lost the lock.
import type { Command } from '../command.js';
import { forceRelease } from '../../lock/index.js';
import { InputError } from '../../errors.js';
import { withRequests, withSession } from '../engine-session.js';
import { GLOBAL_FLAGS } from '../global-flags.js';

const command: Command = {
  path: ['lock', 'release'],
  usage: '--force [-o json]',
  flags: {
    ...GLOBAL_FLAGS,
    force: { type: 'boolean', description: 'required: you are sure the holder is gone' },
  },
  exitCodes: [1, 2, 5],
  async run(args, io) {
    if (args.values.force !== true) {
      throw new InputError('releasing a lock someone else holds needs --force', {
        remedy:
          'check `cutover lock status` first; if the holder is gone, run `cutover lock release --force`',
      });
    }
    return withSession(args, io, async ({ ctx, out, kube }) => {
      const before = await forceRelease(kube, ctx.namespace, ctx.app);
      out.result(withRequests({ released: before.held, before }, kube), (x) =>
        x.released ? `released: ${x.before.summary}` : `nothing to release: ${x.before.summary}`,
      );
      return 0;
    });
  },
};
export default command;
