// Who holds the lock: the CI run (so "lock held by semaphore-4711" points at a pipeline), the
// host and the pid (so two runs on one machine stay apart). MicroTime formatting lives here too.
import { hostname } from 'node:os';

/** CI run ids, first match wins. */
const CI_RUN_VARS: Array<[string, string]> = [
  ['SEMAPHORE_WORKFLOW_ID', 'semaphore'],
  ['GITHUB_RUN_ID', 'github'],
  ['CI_PIPELINE_ID', 'gitlab'],
  ['BUILDKITE_BUILD_ID', 'buildkite'],
  ['CIRCLE_WORKFLOW_ID', 'circleci'],
  ['BUILD_ID', 'ci'],
];

/** The CI run id with its vendor, e.g. 'github-123456', or undefined outside CI. */
export function ciRunId(env: Record<string, string | undefined>): string | undefined {
  for (const [name, vendor] of CI_RUN_VARS) {
    const v = env[name];
    if (v) {
      const attempt = name === 'GITHUB_RUN_ID' && env.GITHUB_RUN_ATTEMPT ? `.${env.GITHUB_RUN_ATTEMPT}` : '';
      return `${vendor}-${v}${attempt}`;
    }
  }
  return undefined;
}

/** e.g. 'semaphore-4711@runner-3/8127' or 'laptop/8127'. */
export function holderIdentity(
  env: Record<string, string | undefined>,
  host: string = hostname(),
  pid: number = process.pid,
): string {
  const run = ciRunId(env);
  return `${run ? `${run}@` : ''}${host}/${pid}`;
}

export function leaseName(app: string): string {
  return `${app}-cutover-lock`;
}

/** RFC 3339 with exactly 6 fractional digits: the API server refuses MicroTime with 3. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** '10:02:03 UTC' for messages. */
export function clockTime(iso: string | undefined): string {
  if (!iso) return 'an unknown time';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(11, 19)} UTC`;
}
