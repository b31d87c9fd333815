// cutover release: deploy, test and promote in one go, under one lock, for one release id.
// Each part is the same function the separate commands run; a failure stops the sequence before
// any plain traffic moves. A retry with the same release id resumes where the cluster says the
// release stands: live → verified only; on the idle color and tested → promote; else deploy
// (which converges on what is already in place).
import type { Color } from '../config/types.js';
import { preflightDeploy } from './preflight.js';
import type { EngineContext } from './context.js';
import {
  deployOnView,
  deployOutcome,
  readShared,
  resolveImage,
  type DeployInput,
  type DeployResult,
} from './deploy.js';
import { locked } from './operation.js';
import { promoteOnView, type SwitchResult } from './promote.js';
import { readAppState, routesOf } from './app-state.js';
import type { ClusterView } from './cluster-view.js';
import { newReleaseId } from './release-id.js';
import { releasePosition } from './release-position.js';
import { runSteps } from './steps.js';
import { testFailed, testOnView, type TestResult } from './test.js';
import { waitForReplicas } from './wait-ready.js';

export type ReleaseInput = DeployInput;

export interface ReleaseResult {
  operation: 'release';
  app: string;
  namespace: string;
  release: string;
  color: string;
  dryRun: boolean;
  /** Where a retry found the release: null = a full run; 'promote' = deployed and tested; 'live'. */
  resumed: 'promote' | 'live' | null;
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
    const view = await readAppState(ctx, { routing: true });
    await readShared(ctx, view);
    const base = {
      operation: 'release' as const,
      app: ctx.app,
      namespace: ctx.namespace,
      release: id,
      dryRun: ctx.dryRun,
      durationMs: 0,
    };
    const position = releasePosition(ctx, view, id, image);
    if (position.kind === 'tested') {
      const deployed = await resumeAtPromote(ctx, view, input, id, position.color);
      const promoted = await promoteOnView(ctx, view, id);
      const result: ReleaseResult = {
        ...base,
        color: promoted.color,
        resumed: 'promote',
        deploy: deployed,
        test: null,
        promote: promoted,
      };
      return { result, outcome: releaseOutcome(result) };
    }
    const deployed = await deployOnView(ctx, view, input, id, image);
    const done = { ...base, color: deployed.color, deploy: deployed };
    if (deployed.alreadyLive) {
      const result: ReleaseResult = { ...done, resumed: 'live', test: null, promote: null };
      return { result, outcome: releaseOutcome(result) };
    }
    if (ctx.dryRun) {
      // Test and promote depend on what deploy would leave; the plan stops at the deploy.
      const result: ReleaseResult = { ...done, resumed: null, test: null, promote: null };
      return { result, outcome: releaseOutcome(result) };
    }
    // The view already holds every answer of deploy's writes and waits: no need to read again.
    const tested = await testOnView(ctx, view, id);
    if (tested.passed === false) throw testFailed(tested);
    const promoted = await promoteOnView(ctx, view, id);
    const result: ReleaseResult = { ...done, resumed: null, test: tested, promote: promoted };
    return { result, outcome: releaseOutcome(result) };
  });
}

/**
 * The release is on the idle color and passed its tests (a retry after a crash between test and
 * promote): nothing is deployed again; only its replicas are waited for, so the promote's
 * readiness guard judges pods that had time to come back.
 */
async function resumeAtPromote(
  ctx: EngineContext,
  view: ClusterView,
  input: DeployInput,
  id: string,
  color: Color,
): Promise<DeployResult> {
  const steps = await runSteps(
    ctx,
    'release',
    [
      {
        name: `release ${id} is on ${color} and passed its tests: resume at promote`,
        describe: `wait until every ${color} replica is available`,
        run: (v) => waitForReplicas(ctx, color, v),
      },
    ],
    view,
  );
  return {
    operation: 'deploy',
    app: ctx.app,
    namespace: ctx.namespace,
    release: id,
    color,
    image: input.image ?? null,
    activeColor: routesOf(ctx, view).activeColor ?? null,
    dryRun: ctx.dryRun,
    steps,
    hooks: [],
    alreadyLive: false,
    replacedRollbackTarget: null,
    durationMs: 0,
  };
}

function releaseOutcome(r: ReleaseResult) {
  const deployed = deployOutcome(r.deploy);
  return {
    color: r.color as Color,
    from: r.promote?.previousColor ?? undefined,
    image: deployed.image,
    ...(r.resumed === 'promote'
      ? { detail: 'resumed at promote (deployed and tested before)' }
      : deployed.detail
        ? { detail: deployed.detail }
        : {}),
  };
}
