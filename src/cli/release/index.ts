// `cutover release`: deploy, test and promote in one go.
import { MUTATING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import { release, type ReleaseResult } from '../../engine/release.js';
import { withRequests, withSession } from '../engine-session.js';
import { DEPLOY_FLAGS, DEPLOY_USAGE, deployInput, deployText } from '../deploy/index.js';
import { testText } from '../test/index.js';
import { switchText } from '../switch-text.js';
import { stepsText, type ResultView } from '../steps-text.js';

function releaseText(r: ReleaseResult, view?: ResultView): string {
  if (r.resumed === 'live') return deployText(r.deploy, view);
  const parts = [
    r.resumed === 'promote'
      ? `release ${r.release} is already on ${r.color} and passed its tests: resuming at promote\n${stepsText(r.deploy.steps, r.dryRun, view)}`
      : deployText(r.deploy, view),
  ];
  if (r.test) parts.push(testText(r.test));
  if (r.promote) parts.push(switchText(r.promote, view));
  if (!r.dryRun) parts.push(`release ${r.release} is live on ${r.color} (${r.durationMs} ms)`);
  return parts.join('\n');
}

const command: Command = {
  path: ['release'],
  usage: DEPLOY_USAGE,
  flags: DEPLOY_FLAGS,
  examples: [{ command: 'release --image myapp:2.0', description: 'deploy, test and promote myapp:2.0' }],
  exitCodes: MUTATING_EXIT_CODES,
  async run(args, io) {
    return withSession(args, io, async ({ ctx, options, out, kube }) => {
      const result = await release(ctx, deployInput(args, options.noWait));
      out.result(withRequests(result, kube), releaseText);
      return 0;
    });
  },
};
export default command;
