// `cutover check`: the deploy preflight and plan for an image, read-only — for CI jobs and
// editors. Prints what deploy would do, or every problem it would hit (exit 2 for bad input,
// 3 when only a guard refuses). Takes no lock and writes nothing.
import type { Command } from '../command.js';
import { deploy, type DeployResult } from '../../engine/deploy.js';
import { CutoverError, GuardError, InputError, PreflightError } from '../../errors.js';
import { withSession } from '../engine-session.js';
import { exitCodeFor } from '../exit.js';
import { GLOBAL_FLAGS } from '../global-flags.js';
import { DEPLOY_FLAGS, deployInput } from '../deploy/index.js';
import { stepsText } from '../steps-text.js';

export interface CheckProblem {
  kind: 'input' | 'guard';
  message: string;
  file?: string;
  field?: string;
  remedy?: string;
}

export interface CheckResult {
  ok: boolean;
  problems: CheckProblem[];
  /** What deploy would do; null when a problem stops it. */
  plan: DeployResult | null;
}

function problemsOf(err: InputError | GuardError | PreflightError): CheckProblem[] {
  const list = err instanceof PreflightError ? err.problems : [err];
  return list.map((p) => ({
    kind: p instanceof InputError ? 'input' : 'guard',
    message: p.message,
    file: p instanceof InputError ? p.file : undefined,
    field: p instanceof InputError ? p.field : undefined,
    remedy: p.remedy,
  }));
}

export function checkText(r: CheckResult): string {
  const plan = r.plan!;
  return [
    `check: no problem found; deploy would put release ${plan.release} on ${plan.color}${plan.image ? ` (${plan.image})` : ''}, plain traffic stays on ${plan.activeColor ?? 'no color yet'}`,
    'deploy would:',
    stepsText(plan.steps, true),
  ].join('\n');
}

const { image, color, tag, release } = DEPLOY_FLAGS;

const command: Command = {
  path: ['check'],
  usage: '--image IMAGE [--color blue|green] [--tag TAG] [--release ID]',
  description:
    'Runs the same preflight as deploy — configuration and manifests, test-match regexes (RE2), smoke-test expectations, the image reference, the gateway address, the color Secret, the guards, host overlaps with other apps on the gateway — and prints the plan or every problem at once. Reads the cluster only: no lock, no write, no probe.',
  flags: { ...GLOBAL_FLAGS, image: image!, color: color!, tag: tag!, release: release! },
  examples: [
    {
      command: 'check --image myapp:2.0',
      description: 'what `deploy --image myapp:2.0` would do, or why it would not',
    },
    {
      command: 'check --image myapp:2.0 -o json',
      description: 'the same as one JSON document, for CI jobs and editors',
    },
  ],
  exitCodes: [1, 2, 3, 5],
  async run(args, io) {
    return withSession(args, io, async ({ ctx, out }) => {
      ctx.dryRun = true;
      try {
        const plan = await deploy(ctx, deployInput(args, true));
        out.result<CheckResult>({ ok: true, problems: [], plan }, checkText);
        return 0;
      } catch (err) {
        const known = err instanceof InputError || err instanceof GuardError || err instanceof PreflightError;
        if (!known || !out.json) throw err;
        out.result<CheckResult>({ ok: false, problems: problemsOf(err), plan: null }, () => '');
        return exitCodeFor(err as CutoverError);
      }
    });
  },
};
export default command;
