// `cutover demo` (also `npm run demo`): a full blue-green cycle on the embedded local cluster
// under live traffic, with a report. Exit 1 if any plain request failed or leaked.
import { OUTPUT_FLAG } from '../global-flags.js';
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
  usage:
    '[--propagation-delay-ms MS] [--drain-seconds S] [--users N] [--report FILE] [--state-dir DIR] [--no-dashboard] [--bad-release] [-o json]',
  flags: {
    'propagation-delay-ms': {
      type: 'string',
      value: 'MS',
      description: "how late the gateway applies a route change (Envoy's eventual consistency)",
      defaultText: '500',
    },
    'drain-seconds': {
      type: 'string',
      value: 'S',
      description: 'drain window before decommission',
      defaultText: '30',
    },
    users: {
      type: 'string',
      value: 'N',
      description: 'plain users sending traffic all along',
      defaultText: '8',
    },
    report: { type: 'string', value: 'FILE', description: 'also write the report as JSON to FILE' },
    'no-dashboard': {
      type: 'boolean',
      description: 'do not serve the dashboard (by default its URL is printed at the start)',
    },
    'bad-release': {
      type: 'boolean',
      description:
        'then release a bad v3 (20 % of requests fail) that post-promotion analysis rolls back automatically',
    },
    'state-dir': {
      type: 'string',
      value: 'DIR',
      description: 'state directory of the demo cluster',
      defaultText: 'a temporary directory',
    },
    output: OUTPUT_FLAG,
  },
  examples: [{ command: 'demo --users 20', description: 'a whole cycle with 20 plain users' }],
  exitCodes: [1, 2],
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
      dashboard: args.values['no-dashboard'] !== true,
      showToken: (token) => io.redactor.allow(token),
      badRelease: args.values['bad-release'] === true,
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
