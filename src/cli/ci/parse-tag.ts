// `cutover ci parse-tag TAG`: what a release tag means (version, and the color it names, if
// any); exit 2 for a tag that names no version. The generated pipelines run it first, so a bad
// tag stops before anything touches the cluster.
import type { Command } from '../command.js';
import { parseReleaseTag } from '../../engine/release-tag.js';
import { InputError } from '../../errors.js';

const command: Command = {
  path: ['ci', 'parse-tag'],
  summary: 'check a release tag (v1.2, v1.2-blue, v1.2-green) and print its version and color',
  usage: 'TAG [-o json]',
  flags: { output: { type: 'string', short: 'o' } },
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
