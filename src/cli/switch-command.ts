// `cutover promote` and `cutover rollback` are each one switch of all traffic: the same flags, the
// same session (the redactor's Secrets read in the first round trip, beside the lock's) and the
// same result, from their own engine operation.
import { MUTATING_EXIT_CODES, type Command } from './command.js';
import type { EngineContext } from '../engine/context.js';
import type { OperationInput } from '../engine/operation.js';
import type { SwitchResult } from '../engine/switch.js';
import { withRequests, withSession } from './engine-session.js';
import { MUTATING_FLAGS, str, RELEASE_FLAG } from './global-flags.js';
import { switchText } from './switch-text.js';

export function switchCommand(
  name: 'promote' | 'rollback',
  operation: (ctx: EngineContext, input: OperationInput & { release?: string }) => Promise<SwitchResult>,
): Command {
  return {
    path: [name],
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
          const result = await operation(ctx, { release: str(args, 'release'), noWait: options.noWait });
          out.result(withRequests(result, kube), switchText);
          return 0;
        },
        { secretsAlongside: true },
      );
    },
  };
}
