// The commands that act on one release under the lock — `cutover test`, `promote` and
// `rollback` — take the same flags (--release, --dry-run, --no-wait), run their engine operation
// in a session and print its result; only the operation, its text and how the session reads the
// redactor's Secrets differ.
import { MUTATING_EXIT_CODES, type Command } from './command.js';
import type { EngineContext } from '../engine/context.js';
import type { OperationInput } from '../engine/operation.js';
import { withRequests, withSession, type SessionOptions } from './engine-session.js';
import { MUTATING_FLAGS, str, RELEASE_FLAG } from './global-flags.js';
import type { ResultView } from './steps-text.js';

export function releaseCommand<R extends object>(
  name: 'test' | 'promote' | 'rollback',
  operation: (ctx: EngineContext, input: OperationInput & { release?: string }) => Promise<R>,
  text: (result: R, view: ResultView) => string,
  sessionOptions: SessionOptions = {},
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
          out.result(withRequests(result, kube), text);
          return 0;
        },
        sessionOptions,
      );
    },
  };
}
