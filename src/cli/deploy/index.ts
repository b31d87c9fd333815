// `cutover deploy`: put a release on the idle color and send testers to it.
import { MUTATING_EXIT_CODES } from '../command.js';
import type { Command, FlagSpec, ParsedArgs } from '../command.js';
import { deploy } from '../../engine/deploy.js';
import type { DeployInput, DeployResult } from '../../engine/deploy.js';
import { InputError } from '../../errors.js';
import { isColor } from '../../routers/types.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS, str } from '../global-flags.js';
import { stepsText, type ResultView } from '../steps-text.js';

export function colorFlag(value: string | undefined): 'blue' | 'green' | undefined {
  if (value === undefined) return undefined;
  if (!isColor(value))
    throw new InputError(`--color ${value}: not a color`, {
      field: '--color',
      remedy: 'use --color blue or --color green',
    });
  return value;
}

/** Flags of `deploy`, also taken by `release` (deploy, test and promote in one go). */
export const DEPLOY_FLAGS: FlagSpec = {
  ...MUTATING_FLAGS,
  image: {
    type: 'string',
    value: 'IMAGE',
    description: "the image to run; else image:TAG of cutover.yaml with --tag, else the manifests' own",
  },
  color: {
    type: 'string',
    value: 'blue|green',
    description: 'the color to deploy to',
    defaultText: 'the idle color',
  },
  tag: {
    type: 'string',
    value: 'TAG',
    description: 'a release tag (v2.0-green): names the color and the image tag',
  },
  release: {
    type: 'string',
    value: 'ID',
    description: 'the release id recorded on the color',
    defaultText: 'the CI run id, else the tag, else generated',
  },
};

export const DEPLOY_USAGE =
  '--image IMAGE [--color blue|green] [--tag TAG] [--release ID] [--dry-run] [--no-wait]';

export function deployInput(args: ParsedArgs, noWait: boolean): DeployInput {
  return {
    image: str(args, 'image'),
    color: colorFlag(str(args, 'color')),
    tag: str(args, 'tag'),
    release: str(args, 'release'),
    noWait,
  };
}

export function deployText(r: DeployResult, view?: ResultView): string {
  if (r.alreadyLive) {
    const head = r.dryRun
      ? `plan: release ${r.release} is already live on ${r.color}; verify it (nothing written)`
      : `release ${r.release} is already live on ${r.color}, verified; neither color was touched`;
    return `${head}\n${stepsText(r.steps, r.dryRun, view)}`;
  }
  const replaced = r.replacedRollbackTarget
    ? `\nrelease ${r.replacedRollbackTarget.release} on ${r.replacedRollbackTarget.color} ${r.dryRun ? 'would stop' : 'stopped'} being the rollback target`
    : '';
  const head = r.dryRun
    ? `plan: deploy release ${r.release} to ${r.color} (nothing written)`
    : `deployed release ${r.release} to ${r.color}${r.image ? ` (${r.image})` : ''}; testers reach it, plain traffic stays on ${r.activeColor ?? 'no color yet'}`;
  const next = r.dryRun ? '' : `\nnext: cutover test --release ${r.release}`;
  return `${head}${replaced}\n${stepsText(r.steps, r.dryRun, view)}${next}`;
}

const command: Command = {
  path: ['deploy'],
  usage: DEPLOY_USAGE,
  flags: DEPLOY_FLAGS,
  examples: [
    { command: 'deploy --image myapp:2.0', description: 'deploy myapp:2.0 to the idle color' },
    {
      command: 'deploy --tag v2.0-green',
      description: "a seed-style tag: green, image <cutover.yaml's image>:v2.0-green",
    },
  ],
  exitCodes: MUTATING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, options, out, kube }) => {
      const result = await deploy(ctx, deployInput(args, options.noWait));
      out.result(withRequests(result, kube), deployText);
      return 0;
    });
  },
};
export default command;
