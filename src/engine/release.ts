// cutover release: deploy, test and promote in one go, under one lock, for one release id.
// Each part is the same function the separate commands run; a failure stops the sequence before
// any plain traffic moves.
import { preflightDeploy } from './preflight.js';
import type { EngineContext } from './context.js';
import { deployOnView, readShared, resolveImage, type DeployInput, type DeployResult } from './deploy.js';
import { locked } from './operation.js';
import { promoteOnView, type SwitchResult } from './promote.js';
import { readAppState } from './app-state.js';
import { newReleaseId } from './release-id.js';
import { testFailed, testOnView, type TestResult } from './test.js';

export type ReleaseInput = DeployInput;

export interface ReleaseResult {
  operation: 'release';
  app: string;
  namespace: string;
  release: string;
  color: string;
  dryRun: boolean;
  deploy: DeployResult;
  test: TestResult | null;
  promote: SwitchResult | null;
  durationMs: number;
}

export async function release(ctx: EngineContext, input: ReleaseInput): Promise<ReleaseResult> {
  (await preflightDeploy(ctx, input)).findings.throwIfAny();
  const id = newReleaseId(input, ctx.deps.env, ctx.deps.clock(), ctx.deps.random);
  const image = resolveImage(ctx, input);
  return locked(ctx, { operation: 'release', release: id }, input, async () => {
    const view = await readAppState(ctx);
    await readShared(ctx, view);
    const deployed = await deployOnView(ctx, view, input, id, image);
    const base = {
      operation: 'release' as const,
      app: ctx.app,
      namespace: ctx.namespace,
      release: id,
      color: deployed.color,
      dryRun: ctx.dryRun,
    };
    if (ctx.dryRun) {
      // Test and promote depend on what deploy would leave; the plan stops at the deploy.
      const result: ReleaseResult = { ...base, deploy: deployed, test: null, promote: null, durationMs: 0 };
      return { result, outcome: { color: deployed.color } };
    }
    // The view already holds every answer of deploy's writes and waits: no need to read again.
    const tested = await testOnView(ctx, view, id);
    if (!tested.passed) throw testFailed(tested);
    const promoted = await promoteOnView(ctx, view, id);
    const result: ReleaseResult = {
      ...base,
      deploy: deployed,
      test: tested,
      promote: promoted,
      durationMs: 0,
    };
    return {
      result,
      outcome: {
        color: deployed.color,
        from: promoted.previousColor ?? undefined,
        image: deployed.image ?? undefined,
      },
    };
  });
}
