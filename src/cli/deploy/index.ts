// `cutover deploy`: put a release on the idle color and send testers to it.
import type { Command, FlagSpec, ParsedArgs } from '../command.js';
import { deploy } from '../../engine/deploy.js';
import type { DeployInput, DeployResult } from '../../engine/deploy.js';
import { InputError } from '../../errors.js';
import { isColor } from '../../routers/types.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS, str } from '../global-flags.js';
import { stepsText } from '../steps-text.js';

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
  image: { type: 'string' },
  color: { type: 'string' },
  tag: { type: 'string' },
  release: { type: 'string' },
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

export function deployText(r: DeployResult): string {
  const head = r.dryRun
    ? `plan: deploy release ${r.release} to ${r.color} (nothing written)`
    : `deployed release ${r.release} to ${r.color}${r.image ? ` (${r.image})` : ''}; testers reach it, plain traffic stays on ${r.activeColor ?? 'no color yet'}`;
  const next = r.dryRun ? '' : `\nnext: cutover test --release ${r.release}`;
  return `${head}\n${stepsText(r.steps, r.dryRun)}${next}`;
}

const command: Command = {
  path: ['deploy'],
  summary: 'deploy a release to the idle color and route testers to it',
  usage: DEPLOY_USAGE,
  flags: DEPLOY_FLAGS,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, options, out, kube }) => {
      const result = await deploy(ctx, deployInput(args, options.noWait));
      out.result(withRequests(result, kube), deployText);
      return 0;
    });
  },
};
export default command;
