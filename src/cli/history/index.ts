// `cutover history`: the recorded operations, newest first.
import { READING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { history, type HistoryResult } from '../../engine/status.js';
import { withRequests, withSession } from '../engine-session.js';
import { GLOBAL_FLAGS } from '../global-flags.js';

function historyText(r: HistoryResult): string {
  if (r.entries.length === 0) return `no history for ${r.app} in ${r.namespace}`;
  return r.entries
    .map(
      (h) =>
        `${h.at}  ${h.operation.padEnd(12)} ${h.result.padEnd(6)} ${h.release ?? ''}${h.color ? ` → ${h.color}` : ''}${h.from ? ` (from ${h.from})` : ''}${h.by ? `  by ${h.by}` : ''}${h.detail ? `\n    ${h.detail}` : ''}`,
    )
    .join('\n');
}

const command: Command = {
  path: ['history'],
  usage: '[-o json]',
  flags: { ...GLOBAL_FLAGS },
  exitCodes: READING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, out, kube }) => {
      out.result(withRequests(await history(ctx), kube), historyText);
      return 0;
    });
  },
};
export default command;
