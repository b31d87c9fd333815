// `cutover ci parse-tag TAG`: what a release tag means (version, and the color it names, if
// any); exit 2 for a tag that names no version. The generated pipelines run it first, so a bad
// tag stops before anything touches the cluster.
import { OUTPUT_FLAG } from '../global-flags.js';
import type { Command } from '../command.js';
import { parseReleaseTag } from '../../engine/release-tag.js';
import { InputError } from '../../errors.js';

const command: Command = {
  path: ['ci', 'parse-tag'],
  usage: 'TAG [-o json]',
  flags: {
    output: OUTPUT_FLAG,
  },
  args: [{ name: 'TAG', description: 'a release tag: v1.2, v1.2-blue or v1.2-green', required: true }],
  examples: [{ command: 'ci parse-tag v2.0-green', description: 'version 2.0, color green' }],
  exitCodes: [2],
  async run(args, io) {
    if (args.positionals.length !== 1) {
      throw new InputError('cutover ci parse-tag takes exactly one tag', {
        remedy: 'run `cutover ci parse-tag v1.2.0-green`',
      });
    }
    const tag = args.positionals[0];
    const parsed = parseReleaseTag(tag);
    if (args.values.output === 'json') {
      io.stdout.write(JSON.stringify({ tag, version: parsed.version, color: parsed.color ?? null }) + '\n');
    } else {
      io.stdout.write(
        `tag ${tag}: version ${parsed.version}, color ${parsed.color ?? 'idle (picked by cutover)'}\n`,
      );
    }
    return 0;
  },
};

export default command;
