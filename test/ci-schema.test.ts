// The generated files checked against each CI system's published schema, plus the properties the
// release process relies on (queueing, manual steps naming their release, no secret echoed).
// - GitHub: @actions/workflow-parser, GitHub's own workflow parser and schema.
// - GitLab: GitLab's CI JSON Schema, vendored in schema/vendor/gitlab-ci.json (see its README).
// - Semaphore: no published schema; schema/vendor/semaphore-pipeline.json is cutover's own, written
//   from Semaphore's pipeline YAML reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { planCi } from '../src/ci/plan.js';
import { FIXTURE_INPUT, REPO_ROOT } from './ci-helpers.js';

function schemaValidator(file: string): ValidateFunction {
  // strict: false because GitLab's schema uses keywords ajv does not know (markdownDescription).
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema/vendor', file), 'utf8')));
}

function githubErrors(name: string, content: string): string[] {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((e) => e.message);
}

const INPUTS = {
  fixture: FIXTURE_INPUT,
  'no per-color secrets, no image repository': {
    ...FIXTURE_INPUT,
    colorSecrets: {},
    imageRepository: undefined,
    configPath: 'deploy/cutover.yaml',
  },
  'build job, vendored tarball': {
    ...FIXTURE_INPUT,
    build: true,
    install: { kind: 'tarball' as const, source: './vendor/cutover.tgz', sha256: 'a'.repeat(64) },
  },
};

for (const [label, input] of Object.entries(INPUTS)) {
  test(`github (${label}): every workflow passes GitHub's workflow parser`, () => {
    for (const [path, content] of Object.entries(planCi('github', input))) {
      assert.deepEqual(githubErrors(path, content), [], path);
    }
  });

  test(`gitlab (${label}): .gitlab-ci.yml passes GitLab's CI schema`, () => {
    const validate = schemaValidator('gitlab-ci.json');
    const doc = parse(planCi('gitlab', input)['.gitlab-ci.yml']);
    assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
  });

  test(`semaphore (${label}): every pipeline passes the Semaphore pipeline schema`, () => {
    const validate = schemaValidator('semaphore-pipeline.json');
    for (const [path, content] of Object.entries(planCi('semaphore', input))) {
      assert.ok(validate(parse(content)), `${path}: ${JSON.stringify(validate.errors, null, 2)}`);
    }
  });
}

// The validators must be able to fail, or the tests above prove nothing.
test('the validators reject a broken file of each system', () => {
  const gh = planCi('github', FIXTURE_INPUT)['.github/workflows/myapp-deploy.yml'];
  assert.notDeepEqual(githubErrors('x.yml', gh.replace('runs-on:', 'runz-on:')), []);
  const gitlab = parse(planCi('gitlab', FIXTURE_INPUT)['.gitlab-ci.yml']);
  gitlab.promote.when = 'by-hand';
  assert.equal(schemaValidator('gitlab-ci.json')(gitlab), false);
  const sem = parse(planCi('semaphore', FIXTURE_INPUT)['.semaphore/myapp-deploy-blue.yml']);
  sem.queue.scope = 'galaxy';
  assert.equal(schemaValidator('semaphore-pipeline.json')(sem), false);
});

test('github: tag push deploys; manual steps take a required release, need an environment, share one queue', () => {
  const files = planCi('github', FIXTURE_INPUT);
  const deploy = parse(files['.github/workflows/myapp-deploy.yml']);
  assert.deepEqual(deploy.on, { push: { tags: ['v*'] } });
  for (const [path, content] of Object.entries(files)) {
    const wf = parse(content);
    assert.deepEqual(wf.concurrency, { group: 'cutover-myapp', 'cancel-in-progress': false }, path);
    if (path.endsWith('-deploy.yml')) continue;
    const [job] = Object.values(wf.jobs) as Array<Record<string, unknown>>;
    assert.deepEqual(wf.on.workflow_dispatch.inputs.release.required, true, path);
    assert.equal(job.environment, 'myapp-production', path);
    const runs = (job.steps as Array<{ run?: string }>).map((s) => s.run ?? '').join('\n');
    assert.match(runs, /cutover (promote|rollback|decommission) --release "\$RELEASE"/, path);
  }
});

test('gitlab: every cluster job is in the resource group; promote, rollback, decommission are manual on the tag', () => {
  const doc = parse(planCi('gitlab', FIXTURE_INPUT)['.gitlab-ci.yml']);
  for (const job of ['deploy', 'smoke-test', 'promote', 'rollback', 'decommission']) {
    assert.equal(doc[job].resource_group, 'cutover-myapp', job);
    assert.match(doc[job].rules[0].if, /CI_COMMIT_TAG/, job);
  }
  for (const job of ['promote', 'rollback', 'decommission']) {
    assert.equal(doc[job].rules[0].when, 'manual', job);
  }
  for (const job of ['promote', 'rollback', 'decommission']) {
    assert.match(doc[job].script[0], new RegExp(`^cutover ${job} --release "\\$CI_COMMIT_TAG" -f`), job);
  }
  assert.equal(doc.deploy.rules[0].when, undefined);
});

test('semaphore: the seed structure, queued per app, tag regexes choose the deploy pipeline', () => {
  const files = planCi('semaphore', FIXTURE_INPUT);
  const entry = parse(files['.semaphore/semaphore.yml']);
  const byName = Object.fromEntries(entry.promotions.map((p: { name: string }) => [p.name, p]));
  assert.equal(byName['Deploy to Blue'].auto_promote.when, "result = 'passed' AND tag =~ '^v[0-9].*-blue$'");
  assert.equal(byName['Deploy to Green'].pipeline_file, 'myapp-deploy-green.yml');
  for (const [path, content] of Object.entries(files)) {
    const p = parse(content);
    if (path.endsWith('semaphore.yml')) continue;
    assert.deepEqual(p.queue, { name: 'myapp kubernetes deployment', scope: 'organization' }, path);
    for (const promo of p.promotions ?? []) {
      assert.equal(promo.auto_promote, undefined, `${path}: ${promo.name} must be manual`);
      assert.ok(files[`.semaphore/${promo.pipeline_file}`], `${path}: ${promo.pipeline_file} exists`);
    }
  }
  const blue = parse(files['.semaphore/myapp-deploy-blue.yml']);
  assert.deepEqual(blue.blocks[0].task.secrets, [{ name: 'env-blue' }]);
  assert.match(blue.blocks[0].task.jobs[0].commands.join('\n'), /--color blue/);
});

test('no generated line echoes secrets or interpolates expressions into the shell', () => {
  for (const system of ['semaphore', 'github', 'gitlab'] as const) {
    for (const [path, content] of Object.entries(planCi(system, FIXTURE_INPUT))) {
      assert.doesNotMatch(content, /\btee\b|set -x|set -o xtrace|\benv\s*$|printenv/m, path);
    }
  }
  // GitHub expands ${{ }} before the shell runs: in a run: script it is an injection point.
  for (const [path, content] of Object.entries(planCi('github', FIXTURE_INPUT))) {
    for (const job of Object.values(parse(content).jobs) as Array<{ steps: Array<{ run?: string }> }>) {
      for (const step of job.steps) assert.doesNotMatch(step.run ?? '', /\$\{\{/, path);
    }
  }
  const gh = planCi('github', FIXTURE_INPUT)['.github/workflows/myapp-deploy.yml'];
  assert.match(
    gh,
    /umask 077\n\s*printf '%s' "\$KUBECONFIG_B64" \| base64 --decode > "\$RUNNER_TEMP\/kubeconfig"/,
  );
});
