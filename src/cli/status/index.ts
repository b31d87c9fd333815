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
      lines.push(
        `  ${c.padEnd(5)}  not deployed${s.leftover ? ` (left for decommission: ${s.leftover})` : ''}`,
      );
      continue;
    }
    const role = s.live ? 'live' : s.underTest ? 'under test' : 'idle';
    const tested = s.tested ? `${s.tested.result} (${s.tested.release})` : 'not tested';
    lines.push(
      `  ${c.padEnd(5)}  ${role.padEnd(10)}  release ${s.release ?? '?'}  ${s.ready}/${s.replicas} ready  ${tested}  ${s.image ?? ''}`.trimEnd(),
    );
    // Why not ready, in the kubelet's words: one line per container that is not.
    for (const n of s.notReady) {
      lines.push(
        `         ${n.pod}${n.container ? `/${n.container}` : ''}: ${n.reason}${n.message ? ` — ${n.message}` : ''}`,
      );
    }
  }
  // Only while the idle color still has something to decommission.
  const idle = r.activeColor && r.colors[r.activeColor === 'blue' ? 'green' : 'blue'];
  if (r.drainEndsAt && idle && (idle.deployment || idle.leftover)) {
    lines.push(
      `drain window: the idle color may be decommissioned from ${r.drainEndsAt.slice(11, 19)} UTC on`,
    );
  }
  lines.push(
    `routes: ${r.routes.map((x) => `${x.name ?? '?'} → ${x.color ?? '?'}${x.match ? ' (testers)' : ''}`).join(', ') || 'none'}`,
  );
  lines.push(...strayText(r));
  lines.push(`lock: ${r.lock.summary}`);
  if (r.history.length) lines.push('last events:');
  for (const h of r.history) {
    lines.push(
      `  ${h.at}  ${h.operation} ${h.result}${h.release ? ` ${h.release}` : ''}${h.color ? ` → ${h.color}` : ''}${h.detail ? `: ${h.detail}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** Routing objects cutover.yaml does not name that cutover made for the app, each with its fix. */
function strayText(r: StatusResult): string[] {
  if (r.strayRoutesUnchecked) return [`other routing objects: not checked (${r.strayRoutesUnchecked})`];
  if (!r.strayRoutes.length) return [];
  return [
    'routing objects cutover.yaml does not name:',
    ...r.strayRoutes.flatMap((s) => {
      const what = s.state === 'retired' ? `retired (${s.retiredBy})` : 'orphaned';
      const serves = s.colors.length
        ? `sends plain traffic to ${s.colors.join(' and ')} (${s.via})`
        : 'sends no plain traffic here';
      return [`  ${s.object}: ${what}, ${serves}`, `    fix: ${s.fix}`];
    }),
  ];
}

/** Replaces the previous `drawn` lines with `text`; returns how many lines it drew. */
function redraw(stdout: NodeJS.WritableStream, text: string, drawn: number, now: number): number {
  const width = Math.max(20, (stdout as { columns?: number }).columns ?? 120);
  const footer = `updated ${new Date(now).toISOString().slice(11, 19)} UTC, every 2 s; Ctrl-C to stop`;
  // A line wider than the terminal would wrap and throw the count of lines to move up off.
  const lines = [...text.split('\n'), '', footer].map((l) =>
    l.length >= width ? `${l.slice(0, width - 2)}…` : l,
  );
  stdout.write(`${drawn ? `\x1b[${drawn}A` : ''}\x1b[0J${lines.join('\n')}\n`);
  return lines.length;
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
      // On a terminal the status is redrawn in place (cursor up, clear to the end) with the time
      // of the last read; in a pipe or -o json, each change is printed once, after the previous.
      const tty = io.interactive && !out.json && Boolean((io.stdout as { isTTY?: boolean }).isTTY);
      let last = '';
      let drawn = 0;
      while (!io.signal.aborted) {
        const result = await status(ctx);
        const shown = JSON.stringify({ ...result, lock: { ...result.lock, summary: '' } });
        if (tty) drawn = redraw(io.stdout, statusText(result), drawn, ctx.deps.clock());
        else if (shown !== last) out.result(result, statusText);
        last = shown;
        await ctx.deps.sleep(2000, io.signal).catch(() => undefined);
      }
      return 0;
    });
  },
};
export default command;
