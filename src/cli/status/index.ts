// `cutover status`: active color, color under test, each color's release and readiness, the
// routes, the lock holder and the last events. `--watch` prints again whenever it changes.
import { READING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { status, type StatusResult } from '../../engine/status.js';
import { COLORS } from '../../routers/types.js';
import { withRequests, withSession } from '../engine-session.js';
import { GLOBAL_FLAGS } from '../global-flags.js';

export function statusText(r: StatusResult): string {
  const lines = [
    `app ${r.app} in namespace ${r.namespace}`,
    `live:       ${r.activeColor ?? 'none (no default route)'}${r.release ? ` (release ${r.release})` : ''}`,
    `under test: ${r.testColor ?? 'none'}`,
  ];
  for (const c of COLORS) {
    const s = r.colors[c];
    if (!s.deployment) {
      lines.push(`  ${c.padEnd(5)}  not deployed${s.hasSubset ? ' (subset still defined)' : ''}`);
      continue;
    }
    const role = s.live ? 'live' : s.underTest ? 'under test' : 'idle';
    const tested = s.tested ? `${s.tested.result} (${s.tested.release})` : 'not tested';
    lines.push(
      `  ${c.padEnd(5)}  ${role.padEnd(10)}  release ${s.release ?? '?'}  ${s.ready}/${s.replicas} ready  ${tested}  ${s.image ?? ''}`.trimEnd(),
    );
  }
  lines.push(
    `routes: ${r.routes.map((x) => `${x.name ?? '?'} → ${x.color ?? '?'}${x.match ? ' (testers)' : ''}`).join(', ') || 'none'}`,
  );
  lines.push(`lock: ${r.lock.summary}`);
  if (r.history.length) lines.push('last events:');
  for (const h of r.history) {
    lines.push(
      `  ${h.at}  ${h.operation} ${h.result}${h.release ? ` ${h.release}` : ''}${h.color ? ` → ${h.color}` : ''}${h.detail ? `: ${h.detail}` : ''}`,
    );
  }
  return lines.join('\n');
}

const command: Command = {
  path: ['status'],
  usage: '[--watch] [-o json]',
  flags: {
    ...GLOBAL_FLAGS,
    watch: {
      type: 'boolean',
      short: 'w',
      description: 'keep showing the status as it changes (redrawn in place on a terminal)',
    },
  },
  exitCodes: READING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, out, kube }) => {
      if (!args.values.watch) {
        out.result(withRequests(await status(ctx), kube), statusText);
        return 0;
      }
      let last = '';
      while (!io.signal.aborted) {
        const result = await status(ctx);
        const shown = JSON.stringify({ ...result, lock: { ...result.lock, summary: '' } });
        if (shown !== last) out.result(result, statusText);
        last = shown;
        await ctx.deps.sleep(2000, io.signal).catch(() => undefined);
      }
      return 0;
    });
  },
};
export default command;
