// A local shell command as a smoke test (k6, newman, curl…): the test URL, the color and the
// tester's cookie or header come in its environment.
import type { CommandSmokeTest } from '../config/types.js';
import { outputTail, type CheckContext, type CheckResult } from './types.js';

export function testEnv(ctx: CheckContext): Record<string, string> {
  const env: Record<string, string> = { CUTOVER_TEST_URL: ctx.gatewayUrl, CUTOVER_TEST_COLOR: ctx.color };
  const m = ctx.config.testMatch;
  if (m.type === 'cookie') env.CUTOVER_TEST_COOKIE = `${m.name}=${m.value}`;
  else env.CUTOVER_TEST_HEADER = `${m.name}: ${m.value}`;
  if (ctx.testerHeaders.host) env.CUTOVER_TEST_HOST = ctx.testerHeaders.host;
  return env;
}

export async function runCommandCheck(ctx: CheckContext, test: CommandSmokeTest): Promise<CheckResult> {
  const started = ctx.deps.clock();
  const run = await ctx.deps.runCommand(test.run, {
    env: { ...ctx.deps.env, ...testEnv(ctx) },
    timeoutMs: test.timeoutMs,
    signal: ctx.deps.signal,
  });
  const ms = ctx.deps.clock() - started;
  if (run.exitCode === 0)
    return { name: test.name, kind: 'command', ok: true, detail: `\`${test.run}\`: exit 0`, ms };
  const output = outputTail(run.output);
  return {
    name: test.name,
    kind: 'command',
    ok: false,
    detail: `\`${test.run}\`: exit ${run.exitCode}`,
    output,
    ms,
  };
}
