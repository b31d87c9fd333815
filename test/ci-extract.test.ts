// The runner of generated CI steps (test/ci-extract.ts), checked without a cluster: a stand-in
// `cutover` on PATH records how it was called, so these tests see exactly which commands each
// job runs, in which order, with which kubeconfig, and what happens when one fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCi } from '../src/ci/plan.js';
import { FIXTURE_INPUT } from './ci-helpers.js';
import {
  githubExpand,
  githubJob,
  gitlabJob,
  runGithubJob,
  runGitlabJob,
  runSemaphoreLines,
  semaphoreJobs,
} from './ci-extract.js';

// Records argv, the kubeconfig it would use (path, mode, content) and fails when asked to.
const FAKE_CUTOVER = `#!/usr/bin/env bash
# The install line asks for the version first: this one is the pinned version, so nothing is installed.
if [ "$*" = "--version" ]; then echo "cutover 0.1.0"; exit 0; fi
{
  printf 'argv:%s\\n' "$*"
  if [ -n "\${KUBECONFIG:-}" ]; then printf 'kubeconfig:%s mode:%s content:%s\\n' "$KUBECONFIG" "$(stat -c %a "$KUBECONFIG")" "$(cat "$KUBECONFIG")"; fi
  names="$(env | grep -o '^CUTOVER_ENV_[A-Z_]*' | sort | tr '\\n' ' ')"
  if [ -n "$names" ]; then printf 'settings:%s\\n' "$names"; fi
} >> "$FAKE_LOG"
case " $* " in *" $FAKE_FAIL_ON "*) exit 3 ;; esac
exit 0
`;

async function fakeWorld(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-extract-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'cutover'), FAKE_CUTOVER);
  await chmod(join(dir, 'cutover'), 0o755);
  // Semaphore's own tools, as no-ops that record their call.
  for (const tool of ['checkout', 'sem-version']) {
    await writeFile(join(dir, tool), `#!/usr/bin/env bash\nprintf '${tool}:%s\\n' "$*" >> "$FAKE_LOG"\n`);
    await chmod(join(dir, tool), 0o755);
  }
  const log = join(dir, 'calls.log');
  const env = { PATH: `${dir}:${process.env.PATH}`, HOME: dir, FAKE_LOG: log, FAKE_FAIL_ON: 'none' };
  const calls = async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  return { dir, env, calls };
}

const gh = planCi('github', FIXTURE_INPUT);
const SETTINGS = Object.fromEntries(
  ['BLUE', 'GREEN'].flatMap((c) => ['DB_PASSWORD', 'DB_USER'].map((k) => [`CUTOVER_ENV_${c}_${k}`, 'v'])),
);
const deployWf = gh['.github/workflows/myapp-deploy.yml'];

test('githubExpand evaluates the expressions the workflows use and rejects others', () => {
  const ctx = { refName: 'v1.0-green', inputs: { release: 'v1' }, secrets: { A: 'x' } };
  assert.equal(githubExpand('${{ github.ref_name }}', ctx), 'v1.0-green');
  assert.equal(githubExpand('${{ inputs.release }}', ctx), 'v1');
  assert.throws(() => githubExpand('${{ toJSON(secrets) }}', ctx), /not modelled/);
  assert.throws(() => githubExpand('${{ github.event.head_commit.message }}', ctx), /not modelled/);
  assert.deepEqual(
    githubJob(deployWf, 'deploy').steps.map((s) => s.name),
    [
      'Check out',
      'Install cutover',
      'Check the release tag',
      'Write the kubeconfig',
      "Sync the color's settings",
      'Deploy',
      'Smoke test',
      'Show the release state',
    ],
  );
});

test('github deploy job: tag → check, kubeconfig (0600, decoded), sync, deploy, test, status', async (t) => {
  const w = await fakeWorld(t);
  const runs = await runGithubJob(deployWf, 'deploy', {
    cwd: w.dir,
    baseEnv: w.env,
    context: {
      refName: 'v2.0-green',
      secrets: {
        KUBECONFIG_B64: Buffer.from('apiVersion: v1\n').toString('base64'),
        CUTOVER_ENV_GREEN_DB_PASSWORD: 's3cret',
        CUTOVER_ENV_GREEN_DB_USER: 'u',
        CUTOVER_ENV_BLUE_DB_PASSWORD: 'b',
        CUTOVER_ENV_BLUE_DB_USER: 'u',
        UNRELATED_TOKEN: 'never passed',
      },
    },
  });
  assert.deepEqual(
    runs.map((r) => [r.name, r.code]),
    [
      ['Check out', null],
      ['Install cutover', 0],
      ['Check the release tag', 0],
      ['Write the kubeconfig', 0],
      ["Sync the color's settings", 0],
      ['Deploy', 0],
      ['Smoke test', 0],
      ['Show the release state', 0],
    ],
  );
  const calls = await w.calls();
  const argv = calls.filter((l) => l.startsWith('argv:'));
  assert.deepEqual(argv, [
    'argv:ci parse-tag v2.0-green',
    'argv:secrets sync --tag v2.0-green --prefix CUTOVER_ENV_ -f cutover.yaml',
    'argv:deploy --image docker.io/me/myapp:v2.0-green --tag v2.0-green --release v2.0-green -f cutover.yaml',
    'argv:test --release v2.0-green -f cutover.yaml',
    'argv:status -f cutover.yaml',
  ]);
  const kube = calls.find((l) => l.startsWith('kubeconfig:'))!;
  assert.match(kube, /mode:600 content:apiVersion: v1$/);
  // The settings reach the sync step only, each by name; no other secret reaches any step.
  assert.deepEqual(
    calls.filter((l) => l.startsWith('settings:')),
    [
      'settings:CUTOVER_ENV_BLUE_DB_PASSWORD CUTOVER_ENV_BLUE_DB_USER CUTOVER_ENV_GREEN_DB_PASSWORD CUTOVER_ENV_GREEN_DB_USER ',
    ],
  );
  assert.ok(runs.every((r) => !r.stdout.includes('s3cret') && !r.stderr.includes('s3cret')));
});

test('github: a failing step stops the job; the always() status step still runs', async (t) => {
  const w = await fakeWorld(t);
  const runs = await runGithubJob(deployWf, 'deploy', {
    cwd: w.dir,
    baseEnv: { ...w.env, FAKE_FAIL_ON: 'deploy' },
    context: {
      refName: 'v2.0-blue',
      secrets: { KUBECONFIG_B64: Buffer.from('x').toString('base64'), ...SETTINGS },
    },
  });
  const byName = Object.fromEntries(runs.map((r) => [r.name, r.code]));
  assert.equal(byName.Deploy, 3);
  assert.equal(byName['Smoke test'], null);
  assert.equal(byName['Show the release state'], 0);
});

test('github: an unset settings secret stops the job before the deploy, exit 2', async (t) => {
  const w = await fakeWorld(t);
  const { CUTOVER_ENV_BLUE_DB_USER: _unset, ...partial } = SETTINGS;
  const runs = await runGithubJob(deployWf, 'deploy', {
    cwd: w.dir,
    baseEnv: w.env,
    context: {
      refName: 'v2.0',
      secrets: { KUBECONFIG_B64: Buffer.from('x').toString('base64'), ...partial },
    },
  });
  const step = runs.find((r) => r.name === "Sync the color's settings")!;
  assert.equal(step.code, 2);
  assert.match(step.stdout, /::error::secret CUTOVER_ENV_BLUE_DB_USER is empty/);
  assert.equal(runs.find((r) => r.name === 'Deploy')!.code, null);
});

test('github: an empty KUBECONFIG_B64 stops the job with a message, exit 2', async (t) => {
  const w = await fakeWorld(t);
  const runs = await runGithubJob(gh['.github/workflows/myapp-promote.yml'], 'promote', {
    cwd: w.dir,
    baseEnv: w.env,
    context: { inputs: { release: 'v1.0' }, secrets: {} },
  });
  const step = runs.find((r) => r.name === 'Write the kubeconfig')!;
  assert.equal(step.code, 2);
  assert.match(step.stdout, /::error::secret KUBECONFIG_B64 is empty/);
  assert.equal(runs.find((r) => r.name === 'Promote')!.code, null);
});

test('github manual workflows act on the release input', async (t) => {
  for (const action of ['promote', 'rollback', 'decommission'] as const) {
    const w = await fakeWorld(t);
    const runs = await runGithubJob(gh[`.github/workflows/myapp-${action}.yml`], action, {
      cwd: w.dir,
      baseEnv: w.env,
      context: {
        inputs: { release: 'v3.1-blue' },
        secrets: { KUBECONFIG_B64: Buffer.from('k').toString('base64') },
      },
    });
    assert.ok(
      runs.every((r) => r.code === 0 || r.code === null),
      action,
    );
    const argv = (await w.calls()).filter((l) => l.startsWith('argv:'));
    assert.equal(argv[0], 'argv:ci parse-tag v3.1-blue');
    const expected =
      action === 'promote'
        ? ['argv:promote --release v3.1-blue -f cutover.yaml']
        : [`argv:${action} --release v3.1-blue -f cutover.yaml`];
    assert.deepEqual(argv.slice(1, -1), expected, action);
  }
});

test('gitlab jobs: before_script checks the KUBECONFIG file, then the job lines run in order', async (t) => {
  const w = await fakeWorld(t);
  const yaml = planCi('gitlab', FIXTURE_INPUT)['.gitlab-ci.yml'];
  assert.equal(gitlabJob(yaml, 'deploy').lines.length, 5);
  const missing = await runGitlabJob(yaml, 'deploy', {
    cwd: w.dir,
    env: { ...w.env, CI_COMMIT_TAG: 'v1.0' },
  });
  assert.equal(missing.code, 2);
  assert.match(missing.stdout, /KUBECONFIG is not a file/);
  const kubeconfig = join(w.dir, 'kubeconfig');
  await writeFile(kubeconfig, 'k', { mode: 0o600 });
  assert.equal((await stat(kubeconfig)).mode & 0o777, 0o600);
  const env = { ...w.env, CI_COMMIT_TAG: 'v1.0', KUBECONFIG: kubeconfig };
  for (const job of ['deploy', 'smoke-test', 'promote', 'rollback', 'decommission']) {
    const r = await runGitlabJob(yaml, job, { cwd: w.dir, env });
    assert.equal(r.code, 0, `${job}: ${r.stderr}`);
  }
  const argv = (await w.calls()).filter((l) => l.startsWith('argv:'));
  assert.deepEqual(argv.slice(0, 3), [
    'argv:ci parse-tag v1.0',
    'argv:secrets sync --tag v1.0 --prefix CUTOVER_ENV_ -f cutover.yaml',
    'argv:deploy --image docker.io/me/myapp:v1.0 --tag v1.0 --release v1.0 -f cutover.yaml',
  ]);
  assert.ok(argv.includes('argv:promote --release v1.0 -f cutover.yaml'));
  const failing = await runGitlabJob(yaml, 'deploy', { cwd: w.dir, env: { ...env, FAKE_FAIL_ON: 'sync' } });
  assert.equal(failing.code, 3, 'the job stops at the first failing line');
});

test('semaphore: each pipeline runs its cutover commands on the workflow tag, with the right secrets', async (t) => {
  const w = await fakeWorld(t);
  const files = planCi('semaphore', FIXTURE_INPUT);
  const env = { ...w.env, SEMAPHORE_GIT_TAG_NAME: 'v4.0-blue' };
  const seen: Record<string, string[]> = {};
  for (const [path, content] of Object.entries(files)) {
    for (const job of semaphoreJobs(content)) {
      await writeFile(join(w.dir, 'calls.log'), '');
      const r = await runSemaphoreLines(job.lines, { cwd: w.dir, env });
      assert.equal(r.code, 0, `${path} ${job.job}: ${r.stderr}`);
      seen[`${path}#${job.job}`] = (await w.calls()).filter((l) => l.startsWith('argv:'));
      if (path !== '.semaphore/semaphore.yml') assert.equal(job.secrets[0], 'kubeconfig', path);
    }
  }
  assert.deepEqual(seen['.semaphore/myapp-deploy-blue.yml#Deploy'], [
    'argv:ci parse-tag v4.0-blue',
    'argv:secrets sync --color blue --prefix CUTOVER_ENV_ -f cutover.yaml',
    'argv:deploy --image docker.io/me/myapp:v4.0-blue --color blue --tag v4.0-blue --release v4.0-blue -f cutover.yaml',
  ]);
  assert.deepEqual(seen['.semaphore/myapp-activate.yml#Switch traffic'], [
    'argv:promote --release v4.0-blue -f cutover.yaml',
    'argv:status -f cutover.yaml',
  ]);
  assert.deepEqual(seen['.semaphore/myapp-rollback.yml#Switch traffic back'], [
    'argv:rollback --release v4.0-blue -f cutover.yaml',
    'argv:status -f cutover.yaml',
  ]);
  assert.deepEqual(seen['.semaphore/semaphore.yml#parse-tag'], ['argv:ci parse-tag v4.0-blue']);
});
