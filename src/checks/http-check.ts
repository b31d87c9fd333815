// HTTP smoke test through the gateway as a tester: the request carries the test cookie/header,
// and the answer must come from this app's color and release under test (the route's identity
// header), so a test can never pass by reaching the live color, or another app, instead.
import type { HttpSmokeTest } from '../config/types.js';
import { checkExpectation, parseExpectation } from './expect.js';
import type { CheckContext, CheckResult } from './types.js';
import { identityMismatch, servedBy } from '../routers/identity.js';

export async function runHttpCheck(ctx: CheckContext, test: HttpSmokeTest): Promise<CheckResult> {
  const started = ctx.deps.clock();
  const expectations = test.expect.map(parseExpectation);
  let reason = '';
  for (let attempt = 1; attempt <= Math.max(1, test.attempts); attempt++) {
    reason = await attemptOnce(ctx, test, expectations);
    if (!reason) {
      const ms = ctx.deps.clock() - started;
      return {
        name: test.name,
        kind: 'http',
        ok: true,
        detail: `${test.method} ${test.path} → ${test.status} from ${ctx.color}`,
        ms,
      };
    }
    if (attempt < test.attempts) await ctx.deps.sleep(Math.min(200 * attempt, 1000), ctx.deps.signal);
  }
  return {
    name: test.name,
    kind: 'http',
    ok: false,
    detail: `${test.method} ${test.path}: ${reason}`,
    ms: ctx.deps.clock() - started,
  };
}

async function attemptOnce(
  ctx: CheckContext,
  test: HttpSmokeTest,
  expectations: ReturnType<typeof parseExpectation>[],
): Promise<string> {
  if (!ctx.gatewayUrl) return `no URL to send it to: ${ctx.unreachable ?? 'no address'}`;
  const answer = await ctx.deps.http(ctx.gatewayUrl + test.path, {
    method: test.method,
    headers: ctx.testerHeaders,
    timeoutMs: test.timeoutMs,
    signal: ctx.deps.signal,
    freshConnection: ctx.freshConnections,
  });
  if (answer.status === 0) return `no answer (${answer.body})`;
  const served = servedBy(answer.headers, ctx.colorHeader);
  const wrong =
    ctx.unmarkedAnswers && served.kind === 'unknown' ? undefined : identityMismatch(served, ctx.expected);
  if (wrong) return `${wrong} (HTTP ${answer.status})`;
  if (answer.status !== test.status) return `HTTP ${answer.status}, expected ${test.status}`;
  if (expectations.length === 0) return '';
  let doc: unknown;
  try {
    doc = JSON.parse(answer.body);
  } catch {
    // Not JSON: every expectation fails with the same reason, reported below.
    return `the body is not JSON (${answer.body.slice(0, 80)})`;
  }
  for (const e of expectations) {
    const why = checkExpectation(e, doc);
    if (why) return why;
  }
  return '';
}
