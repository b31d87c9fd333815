// Runs smoke tests and hooks in order. Every check runs even after a failure (the verdict lists
// them all), except hooks, which stop at the first failure: later hooks may depend on it.
import type { Hook, SmokeTest } from '../config/types.js';
import { runCommandCheck } from './command-check.js';
import { runHttpCheck } from './http-check.js';
import { runExecCheck } from './pod-exec.js';
import { checkText, type CheckContext, type CheckResult } from './types.js';

export type { CheckContext, CheckResult } from './types.js';
export { checkText } from './types.js';
export { parseExpectation, checkExpectation } from './expect.js';

export async function runCheck(ctx: CheckContext, check: SmokeTest | Hook): Promise<CheckResult> {
  if (check.type === 'http') return runHttpCheck(ctx, check);
  if (check.type === 'exec') return runExecCheck(ctx, check);
  return runCommandCheck(ctx, check);
}

export async function runSmokeTests(ctx: CheckContext, tests: SmokeTest[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const test of tests) {
    const r = await runCheck(ctx, test);
    if (r.ok) ctx.deps.log.info(`passed: ${r.name} — ${r.detail}`);
    else ctx.deps.log.warn(`FAILED: ${checkText(r)}`);
    results.push(r);
  }
  return results;
}

export async function runHooks(ctx: CheckContext, hooks: Hook[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const hook of hooks) {
    const r = await runCheck(ctx, hook);
    if (r.ok) ctx.deps.log.info(`hook done: ${r.name} — ${r.detail}`);
    else ctx.deps.log.warn(`hook FAILED: ${checkText(r)}`);
    results.push(r);
    if (!r.ok) break;
  }
  return results;
}
