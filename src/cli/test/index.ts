// `cutover test`: smoke tests against the color under test; records the verdict.
import { test, type TestResult } from '../../engine/test.js';
import { releaseCommand } from '../release-command.js';
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

export default releaseCommand('test', test, testText);
