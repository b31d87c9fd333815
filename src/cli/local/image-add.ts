// `cutover local image add NAME:TAG --dir DIR [--env K=V]… [-- COMMAND ARGS…]`: tells the local
// cluster which local command a container image stands for (see docs/local-cluster.md).
import { STATE_DIR_FLAG } from '../global-flags.js';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo, Command, ParsedArgs } from '../command.js';
import { InputError } from '../../errors.js';
import { DEFAULT_STATE_DIR } from '../../local/state-dir.js';
import { DEFAULT_IMAGE_COMMAND, familiarImageReference, openImageTable } from '../../local/images/index.js';

function parseEnv(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new InputError(`--env "${pair}" is not K=V`, {
        field: '--env',
        remedy: 'write --env NAME=value',
      });
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function checkDir(dir: string): string {
  const abs = resolve(dir);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st?.isDirectory())
    throw new InputError(`--dir ${dir}: no such directory`, {
      field: '--dir',
      remedy: 'pass the directory the app runs in',
    });
  return abs;
}

const command: Command = {
  path: ['local', 'image', 'add'],
  usage: 'NAME:TAG --dir DIR [--env K=V]… [--state-dir DIR] [-- COMMAND ARGS…]',
  flags: {
    dir: { type: 'string', value: 'DIR', description: 'the directory the command runs in (required)' },
    env: {
      type: 'string',
      multiple: true,
      value: 'K=V',
      description: 'an environment variable of the container; repeatable',
    },
    'state-dir': STATE_DIR_FLAG,
  },
  args: [{ name: 'NAME:TAG', description: 'the image reference pods name, e.g. myapp:1.0', required: true }],
  rest: 'the command the container runs',
  examples: [
    {
      command: 'local image add myapp:1.0 --dir ./app -- npm start',
      description: 'pods of myapp:1.0 run `npm start` in ./app',
    },
  ],
  exitCodes: [2],
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const [reference, ...extra] = args.positionals;
    if (!reference || extra.length) {
      throw new InputError('give exactly one image reference', {
        remedy: 'cutover local image add myapp:1.0 --dir ./app -- npm start',
      });
    }
    if (typeof args.values.dir !== 'string') throw new InputError('--dir is required', { field: '--dir' });
    const table = openImageTable(String(args.values['state-dir'] ?? DEFAULT_STATE_DIR));
    const entry = {
      dir: checkDir(args.values.dir),
      env: parseEnv((args.values.env as string[] | undefined) ?? []),
      command: args.rest.length ? args.rest : DEFAULT_IMAGE_COMMAND,
    };
    const key = table.add(reference, entry);
    io.stdout.write(`image ${familiarImageReference(key)} → ${entry.command.join(' ')} in ${entry.dir}\n`);
    return 0;
  },
};

export default command;
