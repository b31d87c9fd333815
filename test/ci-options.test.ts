// What the generated pipelines promise a release manager, checked on the files themselves: each job
// installs exactly this cutover; secrets reach only the steps and names that need them (no step gets
// all of them); GitLab's promote blocks the pipeline and fails it when it fails; the optional
// build-and-push job is what the deploy waits for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { CI_SYSTEMS, planCi } from '../src/ci/plan.js';
import { FIXTURE_INPUT } from './ci-helpers.js';

const BUILD = { ...FIXTURE_INPUT, build: true };

test('every system: no file hands a job all secrets, and each install line pins this version', () => {
  for (const system of CI_SYSTEMS) {
    for (const input of [FIXTURE_INPUT, BUILD]) {
      for (const [path, text] of Object.entries(planCi(system, input))) {
        assert.doesNotMatch(text, /toJSON\(\s*secrets\s*\)|secrets:\s*inherit|CUTOVER_CI_SECRETS/, path);
        for (const line of text.split('\n').filter((l) => l.includes('npm install'))) {
          assert.match(
            line,
            /grep -qxF 'cutover 0\.1\.0' \|\| npm install .* @cutover-bg\/cli@0\.1\.0$/,
            path,
          );
        }
      }
    }
  }
});

interface GithubStep {
  name: string;
  env?: Record<string, string>;
}

test('github: each secret goes to the one step that needs it, by name', () => {
  const where = new Map<string, string[]>();
  for (const [path, text] of Object.entries(planCi('github', BUILD))) {
    const wf = parse(text) as {
      env?: unknown;
      jobs: Record<string, { env?: Record<string, string>; steps: GithubStep[] }>;
    };
    assert.equal(wf.env, undefined, `${path}: no workflow-wide env`);
    for (const [id, job] of Object.entries(wf.jobs)) {
      assert.doesNotMatch(JSON.stringify(job.env ?? {}), /secrets\./, `${path}: no job-wide secret`);
      for (const step of job.steps) {
        for (const value of Object.values(step.env ?? {})) {
          const m = /^\$\{\{ secrets\.([A-Z0-9_]+) \}\}$/.exec(value);
          if (m) where.set(m[1], [...(where.get(m[1]) ?? []), `${id}/${step.name}`]);
          else assert.doesNotMatch(value, /secrets/, `${path} ${step.name}`);
        }
      }
    }
  }
  const steps = Object.fromEntries([...where].map(([k, v]) => [k, [...new Set(v)].sort()]));
  assert.deepEqual(steps, {
    KUBECONFIG_B64: [
      'decommission/Write the kubeconfig',
      'deploy/Write the kubeconfig',
      'promote/Write the kubeconfig',
      'rollback/Write the kubeconfig',
    ],
    CUTOVER_ENV_BLUE_DB_PASSWORD: ["deploy/Sync the color's settings"],
    CUTOVER_ENV_BLUE_DB_USER: ["deploy/Sync the color's settings"],
    CUTOVER_ENV_GREEN_DB_PASSWORD: ["deploy/Sync the color's settings"],
    CUTOVER_ENV_GREEN_DB_USER: ["deploy/Sync the color's settings"],
    REGISTRY_PASSWORD: ['build/Log in to the registry'],
    REGISTRY_USERNAME: ['build/Log in to the registry'],
  });
});

test('gitlab: promote and decommission block the pipeline and fail it; only rollback is optional', () => {
  const doc = parse(planCi('gitlab', FIXTURE_INPUT)['.gitlab-ci.yml']) as Record<
    string,
    { rules?: Array<{ when?: string }>; allow_failure?: boolean; stage?: string }
  >;
  for (const job of ['promote', 'decommission']) {
    assert.equal(doc[job].rules?.[0].when, 'manual', job);
    assert.equal(doc[job].allow_failure, undefined, `${job}: GitLab's default for a manual rule, false`);
  }
  assert.equal(doc.rollback.allow_failure, true);
  assert.equal(doc.promote.stage, 'promote');
});

test('--build: a build-and-push job the deploy waits for, in every system', () => {
  const gh = parse(planCi('github', BUILD)['.github/workflows/myapp-deploy.yml']) as {
    jobs: Record<string, { needs?: string; steps: Array<{ run?: string }> }>;
  };
  assert.equal(gh.jobs.deploy.needs, 'build');
  assert.match(
    JSON.stringify(gh.jobs.build.steps),
    /docker push \\"docker\.io\/me\/myapp:\$GITHUB_REF_NAME\\"/,
  );

  const gl = parse(planCi('gitlab', BUILD)['.gitlab-ci.yml']) as Record<string, unknown> & {
    stages: string[];
    deploy: { needs: string[] };
    build: { stage: string; script: string[] };
  };
  assert.deepEqual(gl.stages.slice(0, 2), ['build', 'deploy']);
  assert.deepEqual(gl.deploy.needs, ['build']);
  assert.match(gl.build.script[0], /docker push "docker\.io\/me\/myapp:\$CI_COMMIT_TAG"/);

  const sem = parse(planCi('semaphore', BUILD)['.semaphore/semaphore.yml']) as {
    blocks: Array<{ name: string; task: { secrets?: Array<{ name: string }> } }>;
  };
  // Blocks without dependencies run in order, and the deploy pipelines are promoted only when
  // this pipeline passed: the image is pushed before any deploy starts.
  assert.deepEqual(
    sem.blocks.map((b) => b.name),
    ['Check release tag', 'Build and push image'],
  );
  assert.deepEqual(sem.blocks[1].task.secrets, [{ name: 'registry' }]);
  for (const system of CI_SYSTEMS) {
    assert.doesNotMatch(Object.values(planCi(system, FIXTURE_INPUT)).join('\n'), /docker (build|push|login)/);
  }
});
