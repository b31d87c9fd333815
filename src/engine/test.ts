// cutover test: smoke tests against the color under test, through the gateway as a tester, in a
// pod of that color, or as a local command; the verdict is recorded on the color's Deployment
// (annotation), where promote reads it.
import type { Color } from '../config/types.js';
import { GuardError, OperationFailedError } from '../errors.js';
import { ANNOTATIONS } from '../manifests/types.js';
import { checkText, runSmokeTests } from '../checks/index.js';
import type { CheckResult } from '../checks/types.js';
import type { ObjectChange } from '../routers/types.js';
import {
  APPS_V1,
  colorStateOf,
  readAppState,
  routesOf,
  type ColorState,
  type TestVerdict,
} from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import type { EngineContext } from './context.js';
import { preAnalysisChecks, wantsPreAnalysis } from './analysis-watch.js';
import { checkContext } from './check-context.js';
import { mustBeReady, mustExist, mustRunRelease, refuse } from './guards.js';
import { guardsFirst } from './preflight.js';
import { locked, type OperationInput } from './operation.js';
import { requestedRelease } from './release-id.js';
import { runSteps, type StepRecord } from './steps.js';

export interface TestInput extends OperationInput {
  release?: string;
}

export interface TestResult {
  operation: 'test';
  app: string;
  namespace: string;
  release: string;
  color: Color;
  /** null in a dry run: nothing was checked, so there is no verdict. */
  passed: boolean | null;
  checks: CheckResult[];
  /** The checks a run would make, in order (what a dry run reports instead of a verdict). */
  wouldRun: string[];
  dryRun: boolean;
  steps: StepRecord[];
  durationMs: number;
}

export function planVerdict(ctx: EngineContext, s: ColorState, verdict: TestVerdict): ObjectChange[] {
  const dep = s.deployment!;
  return [
    {
      action: 'merge-patch',
      apiVersion: APPS_V1,
      kind: 'Deployment',
      namespace: ctx.namespace,
      name: dep.metadata.name,
      reason: `record verdict ${verdict.result} for release ${verdict.release}`,
      patch: {
        metadata: {
          resourceVersion: dep.metadata.resourceVersion,
          annotations: { [ANNOTATIONS.tested]: JSON.stringify(verdict) },
        },
      },
    },
  ];
}

/** The color under test: the test route's color; a deploy always leaves one. */
export function colorUnderTest(ctx: EngineContext, view: ClusterView): ColorState {
  const color = routesOf(ctx, view).testColor;
  if (!color) {
    throw new GuardError(`${ctx.router.routeObjectName()}: no test route, so no color is under test.`, {
      remedy: 'run `cutover deploy` first',
    });
  }
  return colorStateOf(ctx, view, color);
}

export async function test(ctx: EngineContext, input: TestInput): Promise<TestResult> {
  const wanted = requestedRelease(input.release, ctx.deps.env);
  await guardsFirst(ctx, async (dry) => testOnView(dry, await readAppState(dry), wanted));
  return locked(ctx, { operation: 'test', release: wanted }, input, async () => {
    const result = await testOnView(ctx, await readAppState(ctx), wanted);
    if (result.passed === false) throw testFailed(result);
    return { result, outcome: { color: result.color, release: result.release } };
  });
}

export function testFailed(r: TestResult): OperationFailedError {
  const failed = r.checks.filter((c) => !c.ok).map((c) => `  ✖ ${checkText(c)}`);
  return new OperationFailedError(
    `release ${r.release} on ${r.color} failed ${failed.length} of ${r.checks.length} smoke test(s):\n${failed.join('\n')}`,
    {
      remedy: 'promote will refuse this release; fix it and deploy again',
    },
  );
}

export async function testOnView(
  ctx: EngineContext,
  view: ClusterView,
  wanted: string | undefined,
): Promise<TestResult> {
  const s = colorUnderTest(ctx, view);
  refuse(mustExist(ctx, s, 'run `cutover deploy` first'));
  refuse(mustRunRelease(ctx, s, wanted));
  refuse(mustBeReady(ctx, s));
  if (ctx.config.smokeTests.length === 0) {
    ctx.deps.log.warn(
      'no smokeTests in the configuration: the release is recorded as passed without any check',
    );
  }
  let checks: CheckResult[] = [];
  const steps = await runSteps(
    ctx,
    'test',
    [
      {
        name: `smoke tests against ${s.color}`,
        describe: `run ${ctx.config.smokeTests.map((t) => t.name).join(', ') || 'no smoke tests'}${wantsPreAnalysis(ctx) ? ', then the pre-promotion analysis under tester load' : ''}`,
        run: async (v) => {
          checks = await runSmokeTests(await checkContext(ctx, s.color, s.deployment), ctx.config.smokeTests);
          // Metrics only after the smoke tests pass: a color that fails them is not worth the wait.
          if (wantsPreAnalysis(ctx) && checks.every((c) => c.ok))
            checks.push(...(await preAnalysisChecks(ctx, s.color, s.release ?? '')));
          // The controllers update the Deployment's status while the checks run, so the verdict
          // is written against the Deployment as it is now (and only if it still runs the tested
          // release), not against the one read before the checks.
          const name = s.deployment!.metadata.name;
          v.put(
            'Deployment',
            name,
            await ctx.kube.getOptional({
              apiVersion: APPS_V1,
              kind: 'Deployment',
              namespace: ctx.namespace,
              name,
            }),
          );
          const passed = `${checks.filter((c) => c.ok).length}/${checks.length} passed`;
          const failed = checks.filter((c) => !c.ok).map((c) => c.name);
          // Marked failed (✖), yet the verdict is still recorded by the next step.
          return failed.length ? { failed: true, detail: `${passed}; failed: ${failed.join(', ')}` } : passed;
        },
      },
      {
        name: 'record the verdict',
        // A dry run has no verdict to plan: it only says where one would be recorded.
        describe: `record passed or failed on Deployment ${s.deployment!.metadata.name}`,
        run: ctx.dryRun ? async () => undefined : undefined,
        plan: (v) => {
          if (ctx.dryRun) return [];
          const verdict: TestVerdict = {
            release: s.release ?? '',
            result: checks.every((c) => c.ok) ? 'passed' : 'failed',
            at: new Date(ctx.deps.clock()).toISOString(),
            checks: checks.map((c) => ({ name: c.name, ok: c.ok })),
          };
          const now = colorStateOf(ctx, v, s.color);
          if (!now.deployment || now.release !== s.release) {
            throw new OperationFailedError(
              `Deployment ${ctx.namespace}/${s.deployment!.metadata.name}: release ${s.release} was replaced by ${now.release ?? 'nothing'} while it was being tested; no verdict recorded`,
              { remedy: 'run `cutover test` again for the release now deployed' },
            );
          }
          return planVerdict(ctx, now, verdict);
        },
      },
    ],
    view,
  );
  return {
    operation: 'test',
    app: ctx.app,
    namespace: ctx.namespace,
    release: s.release ?? '',
    color: s.color,
    passed: ctx.dryRun ? null : checks.every((c) => c.ok),
    checks,
    wouldRun: ctx.config.smokeTests.map((t) => `${t.name} (${t.type})`),
    dryRun: ctx.dryRun,
    steps,
    durationMs: 0,
  };
}
