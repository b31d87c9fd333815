// Runs the shell of generated CI files the way the CI systems do, without the CI: the steps'
// `run:` scripts of a GitHub Actions job, the `before_script` + `script` lines of a GitLab job.
// What each system adds around the shell is modelled only as far as the generated files use it:
// - GitHub: `${{ }}` expressions in `env:` (github.ref_name, inputs.*, secrets.* — never all secrets);
//   an unknown expression is an error, so a new one cannot slip through untested. Each step runs
//   as `bash --noprofile --norc -eo pipefail FILE` (the `shell: bash` default), with the workflow,
//   job and step env, and what earlier steps appended to $GITHUB_ENV. `uses:` steps are skipped
//   (the caller provides what they would: the checkout is the working directory). After a failed
//   step only `if: always()` steps run.
// - GitLab: `variables:` are exported by bash (so `$VAR` in them expands), then the lines run in
//   one bash with `set -eo pipefail`, stopping at the first failing line.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface StepRun {
  name: string;
  /** null: skipped (a `uses:` step, or after a failure). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface GithubStep {
  name: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
}

export interface GithubContext {
  refName?: string;
  inputs?: Record<string, string>;
  secrets?: Record<string, string>;
}

/** The steps of one job of a workflow, with the workflow's and the job's env merged (job wins). */
export function githubJob(
  workflowYaml: string,
  jobId: string,
): { env: Record<string, string>; steps: GithubStep[] } {
  const wf = parse(workflowYaml) as {
    env?: Record<string, string>;
    jobs: Record<string, { env?: Record<string, string>; steps: GithubStep[] }>;
  };
  const job = wf.jobs[jobId];
  if (!job) throw new Error(`no job ${jobId}; jobs: ${Object.keys(wf.jobs).join(', ')}`);
  return { env: { ...(wf.env ?? {}), ...(job.env ?? {}) }, steps: job.steps };
}

/** Evaluates the `${{ }}` expressions the generated workflows use. */
export function githubExpand(value: string, ctx: GithubContext): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    if (expr === 'github.ref_name') return need(ctx.refName, expr);
    const m = /^(inputs|secrets)\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (m) return (m[1] === 'inputs' ? ctx.inputs : ctx.secrets)?.[m[2]] ?? '';
    throw new Error(`expression not modelled by the test runner: ${expr}`);
  });
}

function need(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`${what} not given`);
  return value;
}

function expandAll(env: Record<string, string> | undefined, ctx: GithubContext): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, githubExpand(String(v), ctx)]));
}

/** Parses a GITHUB_ENV file (NAME=value lines; heredoc form not used by the generated files). */
export function parseGithubEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export function runBash(
  args: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn('bash', args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 137 : 1), stdout, stderr });
    });
  });
}

/** Runs one GitHub Actions job's shell steps in `cwd` with `baseEnv` (the runner's environment). */
export async function runGithubJob(
  workflowYaml: string,
  jobId: string,
  options: { cwd: string; baseEnv: Record<string, string>; context: GithubContext; timeoutMs?: number },
): Promise<StepRun[]> {
  const { env: jobEnv, steps } = githubJob(workflowYaml, jobId);
  const temp = await mkdtemp(join(tmpdir(), 'cutover-gha-'));
  const githubEnvFile = join(temp, 'github_env');
  await writeFile(githubEnvFile, '');
  const runs: StepRun[] = [];
  let failed = false;
  try {
    for (const [i, step] of steps.entries()) {
      const always = step.if === 'always()';
      if (step.if && !always) throw new Error(`step condition not modelled: ${step.if}`);
      if (!step.run || (failed && !always)) {
        runs.push({ name: step.name, code: null, stdout: '', stderr: '' });
        continue;
      }
      const script = join(temp, `step-${i}.sh`);
      await writeFile(script, step.run);
      const env = {
        ...options.baseEnv,
        RUNNER_TEMP: temp,
        GITHUB_ENV: githubEnvFile,
        ...expandAll(jobEnv, options.context),
        ...parseGithubEnv(await readFile(githubEnvFile, 'utf8')),
        ...expandAll(step.env, options.context),
      };
      const r = await runBash(['--noprofile', '--norc', '-eo', 'pipefail', script], {
        cwd: options.cwd,
        env,
        timeoutMs: options.timeoutMs ?? 180_000,
      });
      runs.push({ name: step.name, ...r });
      if (r.code !== 0) failed = true;
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return runs;
}

export interface GitlabJob {
  variables: Record<string, string>;
  lines: string[];
}

/** A job's variables (global, then job) and its shell lines (before_script, then script). */
export function gitlabJob(ciYaml: string, jobName: string): GitlabJob {
  const doc = parse(ciYaml) as Record<string, Record<string, unknown>>;
  const job = doc[jobName];
  if (!job || !Array.isArray(job.script)) throw new Error(`no job ${jobName} with a script`);
  const before = (job.before_script ?? doc.default?.before_script ?? []) as string[];
  const variables = {
    ...((doc.variables ?? {}) as Record<string, string>),
    ...((job.variables ?? {}) as Record<string, string>),
  };
  return { variables, lines: [...before, ...(job.script as string[])] };
}

/** Runs one GitLab job's lines; `env` holds the predefined and CI/CD variables (e.g. CI_COMMIT_TAG, KUBECONFIG). */
export async function runGitlabJob(
  ciYaml: string,
  jobName: string,
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const job = gitlabJob(ciYaml, jobName);
  const exports = Object.entries(job.variables).map(
    ([k, v]) => `export ${k}="${String(v).replace(/(["\\`])/g, '\\$1')}"`,
  );
  const script = ['set -eo pipefail', ...exports, ...job.lines].join('\n');
  return runBash(['--noprofile', '--norc', '-c', script], {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: options.timeoutMs ?? 180_000,
  });
}

/** The commands of every job of a Semaphore pipeline: global prologue, block prologue, job commands. */
export function semaphoreJobs(
  pipelineYaml: string,
): Array<{ block: string; job: string; secrets: string[]; lines: string[] }> {
  const p = parse(pipelineYaml) as {
    global_job_config?: { prologue?: { commands: string[] }; secrets?: Array<{ name: string }> };
    blocks: Array<{
      name: string;
      task: {
        prologue?: { commands: string[] };
        secrets?: Array<{ name: string }>;
        jobs: Array<{ name: string; commands: string[] }>;
      };
    }>;
  };
  const global = p.global_job_config?.prologue?.commands ?? [];
  const globalSecrets = (p.global_job_config?.secrets ?? []).map((s) => s.name);
  return p.blocks.flatMap((b) =>
    b.task.jobs.map((j) => ({
      block: b.name,
      job: j.name,
      secrets: [...globalSecrets, ...(b.task.secrets ?? []).map((s) => s.name)],
      lines: [...global, ...(b.task.prologue?.commands ?? []), ...j.commands],
    })),
  );
}

/** Runs lines as a Semaphore job does: one shell, stopping at the first failing command. */
export function runSemaphoreLines(
  lines: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runBash(['--noprofile', '--norc', '-c', ['set -eo pipefail', ...lines].join('\n')], {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: options.timeoutMs ?? 180_000,
  });
}
