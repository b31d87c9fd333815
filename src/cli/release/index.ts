// `cutover release`: deploy, test and promote in one go.
import type { Command } from '../command.js';
import { release, type ReleaseResult } from '../../engine/release.js';
import { withRequests, withSession } from '../engine-session.js';
import { MUTATING_FLAGS, str } from '../global-flags.js';
import { colorFlag, deployText } from '../deploy/index.js';
import { testText } from '../test/index.js';
import { switchText } from '../promote/index.js';

function releaseText(r: ReleaseResult): string {
  const parts = [deployText(r.deploy)];
  if (r.test) parts.push(testText(r.test));
  if (r.promote) parts.push(switchText(r.promote));
  if (!r.dryRun) parts.push(`release ${r.release} is live on ${r.color} (${r.durationMs} ms)`);
  return parts.join('\n');
}

const command: Command = {
  path: ['release'],
  summary: 'deploy, test and promote a release in one go',
  usage: '--image IMAGE [--color blue|green] [--tag TAG] [--release ID] [--dry-run] [--no-wait]',
  flags: {
    ...MUTATING_FLAGS,
    image: { type: 'string' },
    color: { type: 'string' },
    tag: { type: 'string' },
    release: { type: 'string' },
  },
  async run(args, io) {
    return withSession(args, io, async ({ ctx, options, out, kube }) => {
      const result = await release(ctx, {
        image: str(args, 'image'),
        color: colorFlag(str(args, 'color')),
        tag: str(args, 'tag'),
        release: str(args, 'release'),
        noWait: options.noWait,
      });
      out.result(withRequests(result, kube), releaseText);
      return 0;
    });
  },
};
export default command;
