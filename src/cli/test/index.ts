// `cutover test`: smoke tests against the color under test; records the verdict.
import { MUTATING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { test, type TestResult } from '../../engine/test.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS, str, RELEASE_FLAG } from '../global-flags.js';
import { stepsText } from '../steps-text.js';

export function testText(r: TestResult): string {
  if (r.dryRun) {
    const checks = r.wouldRun.length ? r.wouldRun.join(', ') : 'none (smokeTests is empty)';
    return [
      `plan: test release ${r.release} on ${r.color} (nothing run, nothing written, no verdict)`,
      `checks it would run: ${checks}`,
      stepsText(r.steps, true),
    ].join('\n');
  }
  const lines = r.checks.map((c) => `${c.ok ? '✔' : '✖'} ${c.name}: ${c.detail} (${c.ms} ms)`);
  const verdict = r.passed
    ? `release ${r.release} on ${r.color} passed`
    : `release ${r.release} on ${r.color} FAILED`;
  return [...lines, verdict, ...(r.passed ? [`next: cutover promote --release ${r.release}`] : [])].join(
    '\n',
  );
}

const command: Command = {
  path: ['test'],
  usage: '[--release ID] [--dry-run] [--no-wait]',
  flags: {
    ...MUTATING_FLAGS,
    release: RELEASE_FLAG,
  },
  exitCodes: MUTATING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, options, out, kube }) => {
      const result = await test(ctx, { release: str(args, 'release'), noWait: options.noWait });
      out.result(withRequests(result, kube), testText);
      return 0;
    });
  },
};
export default command;
