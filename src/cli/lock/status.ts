// `cutover lock status`: who holds the app's release lock, since when, doing what.
import type { Command } from '../command.js';
import { lockStatus } from '../../lock/index.js';
import { withRequests, withSession } from '../engine-session.js';
import { GLOBAL_FLAGS } from '../global-flags.js';

const command: Command = {
  path: ['lock', 'status'],
  summary: 'show who holds the release lock',
  usage: '[-o json]',
  flags: { ...GLOBAL_FLAGS },
  async run(args, io) {
    return withSession(args, io, async ({ ctx, out, kube }) => {
      const s = await lockStatus(kube, ctx.namespace, ctx.app);
      out.result(withRequests(s, kube), (x) => x.summary);
      return 0;
    });
  },
};
export default command;
