// Entry point of the cutover CLI: finds the command, parses its flags, runs it, and turns
// errors into exit codes (src/cli/exit.ts). Nothing below this file calls process.exit.
import { packageVersion } from '../package-root.js';
import { commands, type CommandEntry } from './registry.js';
import type { CliIo } from './command.js';
import { InputError } from '../errors.js';
import { commandHelp, generalHelp } from './help.js';
import { parseCommandArgs } from './parse-args.js';
import { runWithIo } from './run.js';
import { closest } from './suggest.js';

export { parseCommandArgs } from './parse-args.js';

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  for (const entry of commands) {
    const n = entry.path.length;
    if (argv.length >= n && entry.path.every((w, i) => argv[i] === w)) {
      if (!best || n > best.path.length) best = entry;
    }
  }
  return best ? { entry: best, rest: argv.slice(best.path.length) } : undefined;
}

/** An unknown command: the nearest one by the words typed, or the subcommands of a group. */
function unknownCommand(argv: string[]): InputError {
  const words = argv.filter((a) => !a.startsWith('-'));
  const group = commands.filter((c) => c.path.length > 1 && c.path[0] === words[0]);
  if (group.length && words.length === 1) {
    return new InputError(`\`cutover ${words[0]}\` needs a subcommand`, {
      remedy: group.map((c) => `cutover ${c.path.join(' ')}`).join(', '),
    });
  }
  const typed = (n: number) => words.slice(0, n).join(' ');
  const guesses = commands
    .map((c) => closest(typed(c.path.length), [c.path.join(' ')]))
    .filter((g): g is string => g !== undefined);
  const guess = closest(typed(1), guesses) ?? guesses[0];
  return new InputError(`unknown command: ${words.slice(0, 3).join(' ') || argv.join(' ')}`, {
    remedy: guess
      ? `did you mean \`cutover ${guess}\`? (\`cutover --help\` lists all)`
      : 'run `cutover --help` for the list',
  });
}

export async function main(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  return runWithIo(partialIo, async (io) => {
    if (argv[0] === '--version' || argv[0] === 'version') {
      io.stdout.write(`cutover ${packageVersion()}\n`);
      return 0;
    }
    const asksHelp = argv[0] === 'help' && argv.length > 1;
    if (!asksHelp && (argv.length === 0 || ['--help', '-h', 'help'].includes(argv[0]))) {
      io.stdout.write(generalHelp() + '\n');
      return 0;
    }
    const words = asksHelp ? argv.slice(1) : argv;
    const found = findCommand(words);
    if (!found) throw unknownCommand(words);
    const cmd = (await found.entry.load()).default;
    if (asksHelp) {
      if (found.rest.length) throw unknownCommand(words);
      io.stdout.write(commandHelp(found.entry, cmd) + '\n');
      return 0;
    }
    const args = parseCommandArgs(cmd, found.rest);
    if (args.values.help) {
      io.stdout.write(commandHelp(found.entry, cmd) + '\n');
      return 0;
    }
    return await cmd.run(args, io);
  });
}
