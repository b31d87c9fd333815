// `cutover demo` (also `npm run demo`): a full blue-green cycle on the embedded local cluster
// under live traffic, with a report. Exit 1 if any plain request failed or leaked.
import type { Command } from '../command.js';
import { InputError } from '../../errors.js';

function num(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InputError(`--${flag} must be a number ≥ 0, got "${String(value)}"`);
  return n;
}

const command: Command = {
  path: ['demo'],
  summary: 'run a whole blue-green cycle on the embedded local cluster under live traffic',
  usage:
    '[--propagation-delay-ms MS] [--drain-seconds S] [--users N] [--report FILE] [--state-dir DIR] [-o json]',
  flags: {
    'propagation-delay-ms': { type: 'string' },
    'drain-seconds': { type: 'string' },
    users: { type: 'string' },
    report: { type: 'string' },
    'state-dir': { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  async run(args, io) {
    const { runDemo } = await import('../../demo/run.js');
    const report = await runDemo({
      propagationDelayMs: num(args.values['propagation-delay-ms'], 'propagation-delay-ms', 500),
      // cutover's default drain window (30 s, as Argo Rollouts' scaleDownDelaySeconds).
      drainSeconds: num(args.values['drain-seconds'], 'drain-seconds', 30),
      plainLoops: Math.max(1, Math.round(num(args.values.users, 'users', 8))),
      stateDir: args.values['state-dir'] as string | undefined,
      reportFile: args.values.report as string | undefined,
      log: io.stderr,
      signal: io.signal,
    });
    const t = report.totals;
    if (args.values.output === 'json') io.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else
      io.stdout.write(
        `${report.ok ? 'PASS' : 'FAIL'}: ${t.requests} requests (${t.plainRequests} plain, ${t.testRequests} with test=true); ` +
          `${t.plainFailures} plain requests failed; ${t.plainLeaks} plain requests reached the color under test before promotion\n`,
      );
    return report.ok ? 0 : 1;
  },
};
export default command;
