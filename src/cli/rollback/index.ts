// `cutover rollback`: all traffic back to the previous color, verified.
import { MUTATING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { rollback } from '../../engine/rollback.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS, str, RELEASE_FLAG } from '../global-flags.js';
import { switchText } from '../switch-text.js';

const command: Command = {
  path: ['rollback'],
  usage: '[--release ID] [--dry-run] [--no-wait]',
  flags: {
    ...MUTATING_FLAGS,
    release: RELEASE_FLAG,
  },
  exitCodes: MUTATING_EXIT_CODES,
  async run(args, io) {
    return withSession(
      args,
      io,
      async ({ ctx, options, out, kube }) => {
        const result = await rollback(ctx, { release: str(args, 'release'), noWait: options.noWait });
        out.result(withRequests(result, kube), switchText);
        return 0;
      },
      { secretsAlongside: true },
    );
  },
};
export default command;
