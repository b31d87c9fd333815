// --dry-run, status, history and the guards for router: gateway-api and router: service, through
// the CLI as a CI job runs it, on one local cluster per router. What istio alone had proved
// (test/engine-guards.test.ts, test/engine-plan.test.ts): a dry run writes nothing and names the
// router's steps; deploy into the live color, a stale or untested promote, and a rollback with
// nothing to return to exit 3 naming the router's own object, and leave the cluster as it was;
// the lock refuses a second run (exit 4); status and history tell the same story in every router.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoConfig, runCli, startHarness, type CliRun, type Harness } from './engine-harness.js';
import { deploy } from '../src/engine/deploy.js';
import { test as smokeTest } from '../src/engine/test.js';
import { promote } from '../src/engine/promote.js';
import { acquireLock } from '../src/lock/index.js';

const ROUTERS = [
  {
    router: 'gateway-api',
    object: 'HTTPRoute default/myapp',
    deploySteps: [
      'ensure shared objects',
      'apply Deployment myapp-green',
      'wait for every green replica',
      'ensure Gateway and color Services myapp-blue, myapp-green',
      'send testers to green',
    ],
    promoteSteps: ['ensure color Service myapp-green', 'switch all traffic to green'],
  },
  {
    router: 'service',
    object: 'Service default/myapp',
    deploySteps: [
      'ensure shared objects',
      'apply Deployment myapp-green',
      'wait for every green replica',
      'send testers to green',
    ],
    promoteSteps: ['switch all traffic to green'],
  },
] as const;

for (const r of ROUTERS) {
  describe(`router: ${r.router}`, () => {
    let h: Harness;
    const cli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
      runCli([...args, '-f', h.configPath], { cwd: h.dir, env: { ...h.env, ...env } });

    /** What the engine may change of the router's objects and the workloads: spec, labels, annotations. */
    async function snapshot(): Promise<Record<string, string>> {
      const ctx = await h.context();
      const live = await ctx.router.read(h.kube);
      const deployments = await Promise.all(
        ['myapp-blue', 'myapp-green'].map((name) =>
          h.kube.getOptional({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: 'default' }),
        ),
      );
      const out: Record<string, string> = {};
      for (const o of [...(live.objects ?? []), ...deployments])
        if (o)
          out[`${o.kind}/${o.metadata.name}`] = JSON.stringify({
            spec: o.spec,
            labels: o.metadata.labels,
            annotations: o.metadata.annotations,
            generation: o.metadata.generation,
          });
      return out;
    }

    async function refused(args: string[], pattern: RegExp, env: Record<string, string> = {}): Promise<void> {
      const before = await snapshot();
      const run = await cli(args, env);
      assert.equal(run.code, 3, `exit code of cutover ${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
      assert.match(run.stderr, /\n {2}fix: \S/);
      assert.equal(run.stdout, '');
      assert.deepEqual(await snapshot(), before, 'the cluster is unchanged');
    }

    before(async () => {
      h = await startHarness({ propagationDelayMs: 50 });
      await h.writeConfig(
        demoConfig(h, {
          router: r.router,
          drainSeconds: 600,
          smokeTests: [{ name: 'ready', http: { path: '/ready', expect: ['.ready == true'] } }],
          hooks: {},
        }),
      );
      await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
      await smokeTest(await h.context(), { release: 'r1' });
      await promote(await h.context(), { release: 'r1' });
      await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
    });
    after(async () => {
      await h?.stop();
    });

    test(`${r.router}: --dry-run plans in the router's words and writes nothing`, async () => {
      const before = await snapshot();
      const run = await cli([
        'deploy',
        '--image',
        'demo/myapp:v3',
        '--release',
        'r3',
        '--dry-run',
        '-o',
        'json',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const plan = JSON.parse(run.stdout) as {
        dryRun: boolean;
        color: string;
        steps: Array<{ name: string }>;
      };
      assert.equal(plan.dryRun, true);
      assert.equal(plan.color, 'green', 'the idle color');
      assert.deepEqual(
        plan.steps.map((s) => s.name),
        r.deploySteps,
      );
      assert.ok(!run.stdout.includes('subset'), 'no Istio word in the plan');
      assert.deepEqual(await snapshot(), before, 'the cluster is unchanged');
    });

    test(`${r.router}: deploy into the live color and an untested promote are refused, naming ${r.object}`, async () => {
      await refused(
        ['deploy', '--image', 'demo/myapp:v3', '--color', 'blue'],
        new RegExp(`${r.object}: default route points to blue, the color you are deploying to`),
      );
      await refused(['promote'], /Deployment default\/myapp-green: release r2 on green has not been tested/);
    });

    test(`${r.router}: a stale promote is refused, by --release and by the CI run id`, async () => {
      await smokeTest(await h.context(), { release: 'r2' });
      await refused(
        ['promote', '--release', 'r0'],
        /Deployment default\/myapp-green runs release r2, not r0: refusing a stale release/,
      );
      await refused(['promote'], /runs release r2, not wf-other/, { SEMAPHORE_WORKFLOW_ID: 'wf-other' });
    });

    test(`${r.router}: the lock: promote --no-wait exits 4 while another run holds it, and status names the holder`, async (t) => {
      const holder = await acquireLock(h.kube, {
        namespace: 'default',
        app: 'myapp',
        waitTimeoutMs: 10_000,
        leaseDurationSeconds: 60,
        identity: 'ci-4711@other-runner',
        operation: { app: 'myapp', release: 'rc', phase: 'promote' },
      });
      t.after(() => holder.release());
      const before = await snapshot();
      const run = await cli(['promote', '--release', 'r2', '--no-wait']);
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /lock held by ci-4711@other-runner .*not waiting \(--no-wait\)/);
      assert.deepEqual(await snapshot(), before, 'the cluster is unchanged');
      const st = await cli(['status', '-o', 'json']);
      assert.equal(st.code, 0, st.stderr);
      assert.equal(
        (JSON.parse(st.stdout) as { lock: { holder?: string } }).lock.holder,
        'ci-4711@other-runner',
      );
      await holder.release();
    });

    test(`${r.router}: status names the live and tested releases and the router's routes`, async () => {
      const run = await cli(['status', '-o', 'json']);
      assert.equal(run.code, 0, run.stderr);
      const s = JSON.parse(run.stdout) as {
        activeColor: string;
        testColor: string;
        release: string;
        routes: Array<{ name: string; color: string; match: boolean }>;
        colors: Record<string, { release?: string; tested?: string; hasSubset: boolean }>;
      };
      assert.equal(s.activeColor, 'blue');
      assert.equal(s.testColor, 'green');
      assert.equal(s.release, 'r1');
      assert.equal(s.colors.green!.release, 'r2');
      assert.deepEqual(s.routes.map((x) => `${x.match ? 'testers' : 'everyone'} → ${x.color}`).sort(), [
        'everyone → blue',
        'testers → green',
      ]);
      const text = await cli(['status']);
      assert.equal(text.code, 0, text.stderr);
      assert.ok(!text.stdout.includes('subset'), text.stdout);
    });

    test(`${r.router}: promote, decommission, then rollback with nothing to return to is refused; history records each`, async () => {
      const promoted = await cli(['promote', '--release', 'r2', '--dry-run', '-o', 'json']);
      assert.equal(promoted.code, 0, promoted.stderr);
      assert.deepEqual(
        (JSON.parse(promoted.stdout) as { steps: Array<{ name: string }> }).steps.map((s) => s.name),
        r.promoteSteps,
      );
      const done = await cli(['promote', '--release', 'r2']);
      assert.equal(done.code, 0, done.stderr);
      const gone = await cli(['decommission', '--force']);
      assert.equal(gone.code, 0, gone.stderr);
      await refused(['rollback'], /Deployment default\/myapp-blue does not exist: nothing runs on blue/);
      const hist = await cli(['history', '-o', 'json']);
      assert.equal(hist.code, 0, hist.stderr);
      const entries = (JSON.parse(hist.stdout) as { entries: Array<Record<string, string>> }).entries;
      assert.deepEqual(
        entries.map((e) =>
          `${e.operation} ${e.result} ${e.release ?? ''} ${e.color ?? ''} ${e.from ?? ''}`.trim(),
        ),
        [
          'decommission done r1 blue',
          'promote done r2 green blue',
          'test done r2 green',
          'deploy done r2 green',
          'promote done r1 blue',
          'test done r1 blue',
          'deploy done r1 blue',
        ],
      );
    });
  });
}
