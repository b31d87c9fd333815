// `cutover lock status`: who holds the app's release lock, since when, doing what.
import { READING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { lockStatus } from '../../lock/index.js';
import { withRequests, withSession } from '../engine-session.js';
import { GLOBAL_FLAGS } from '../global-flags.js';

const command: Command = {
  path: ['lock', 'status'],
  usage: '[-o json]',
  flags: { ...GLOBAL_FLAGS },
  exitCodes: READING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, out, kube }) => {
      const s = await lockStatus(kube, ctx.namespace, ctx.app);
      out.result(withRequests(s, kube), (x) => x.summary);
      return 0;
    });
  },
};
export default command;
