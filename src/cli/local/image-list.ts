// `cutover local image list`: the images the local cluster knows, and the command each runs.
import { STATE_DIR_FLAG } from '../global-flags.js';
import { HIDDEN } from '../../engine/redact.js';
import type { CliIo, Command, ParsedArgs } from '../command.js';
import { InputError } from '../../errors.js';
import { DEFAULT_STATE_DIR } from '../../local/state-dir.js';
import { familiarImageReference, openImageTable } from '../../local/images/index.js';

const command: Command = {
  path: ['local', 'image', 'list'],
  usage: '[--state-dir DIR] [--output json]',
  flags: {
    'state-dir': STATE_DIR_FLAG,
    output: { type: 'string', short: 'o', value: 'json', description: 'json prints the image table as JSON' },
  },
  exitCodes: [2],
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    if (args.values.output !== undefined && args.values.output !== 'json') {
      throw new InputError(`--output ${String(args.values.output)} is not supported`, {
        field: '--output',
        remedy: 'use --output json or leave it out',
      });
    }
    const images = openImageTable(String(args.values['state-dir'] ?? DEFAULT_STATE_DIR)).list();
    if (args.values.output === 'json') {
      // --env values may be credentials the app needs: their names only, like the table below.
      const shown = images.map((i) => ({
        ...i,
        env: Object.fromEntries(Object.keys(i.env).map((k) => [k, HIDDEN])),
      }));
      io.stdout.write(JSON.stringify(shown, null, 2) + '\n');
      return 0;
    }
    const rows = images.map((i) => [
      familiarImageReference(i.reference),
      i.dir,
      i.command.join(' '),
      Object.keys(i.env).join(','),
    ]);
    const table = [['IMAGE', 'DIR', 'COMMAND', 'ENV'], ...rows];
    const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
    for (const row of table)
      io.stdout.write(
        row
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('   ')
          .trimEnd() + '\n',
      );
    return 0;
  },
};

export default command;
