// Entry point of the cutover CLI: finds the command, parses its flags, runs it, and turns
// errors into exit codes (src/cli/exit.ts). Nothing below this file calls process.exit.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { packageVersion } from '../package-root.js';
import { commands, type CommandEntry } from './registry.js';
import type { CliIo, Command, ParsedArgs } from './command.js';
import { reportError } from './exit.js';
import { InputError } from '../errors.js';
import { Redactor } from '../engine/redact.js';
import { redacting } from './redacting-stream.js';
import { commandHelp, generalHelp, usageLine } from './help.js';
import { closest } from './suggest.js';

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

/** node:util's parseArgs options: our flag definitions without the help-only fields. */
function parserOptions(cmd: Command): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, def] of Object.entries(cmd.flags)) {
    const { description: _d, value: _v, defaultText: _t, ...parser } = def;
    options[name] = parser;
  }
  options.help = { type: 'boolean', short: 'h' };
  return options;
}

function flagError(cmd: Command, err: Error & { code?: string }): InputError {
  const where = `cutover ${cmd.path.join(' ')}`;
  const help = `\`${where} --help\` lists its flags`;
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(err.message);
  if (unknown) {
    const [, dashes, name] = unknown;
    const guess = dashes === '--' ? closest(name, Object.keys(cmd.flags)) : undefined;
    return new InputError(`${where}: unknown flag ${dashes}${name}`, {
      cause: err,
      field: `${dashes}${name}`,
      remedy: guess ? `did you mean --${guess}? (${help})` : help,
    });
  }
  const missing = /Option '(?:-\w, )?--([\w-]+) <value>' argument missing/.exec(err.message);
  if (missing) {
    const def = cmd.flags[missing[1]];
    return new InputError(`${where}: --${missing[1]} needs a value`, {
      cause: err,
      field: `--${missing[1]}`,
      remedy: `give it one: --${missing[1]} ${def?.value ?? 'VALUE'}`,
    });
  }
  const extraValue = /Option '(?:-\w, )?--([\w-]+)' does not take an argument/.exec(err.message);
  if (extraValue) {
    return new InputError(`${where}: --${extraValue[1]} is a switch and takes no value`, {
      cause: err,
      field: `--${extraValue[1]}`,
      remedy: `write --${extraValue[1]} alone`,
    });
  }
  return new InputError(`${where}: ${err.message}`, { cause: err, remedy: help });
}

/** Positionals beyond the declared ones, or words after `--` where none are taken: exit 2. */
function checkPositionals(cmd: Command, parsed: ParsedArgs): void {
  const where = `cutover ${cmd.path.join(' ')}`;
  const declared = cmd.args ?? [];
  const variadic = declared.some((a) => a.variadic);
  if (!variadic && parsed.positionals.length > declared.length) {
    const stray = parsed.positionals.slice(declared.length);
    throw new InputError(
      `${where}: unexpected argument${stray.length > 1 ? 's' : ''} ${stray.map((s) => `'${s}'`).join(' ')}`,
      {
        field: stray[0],
        remedy: declared.length
          ? `${where} takes ${declared.map((a) => a.name).join(' ')}; see \`${where} --help\``
          : `${where} takes no arguments, only flags; see \`${where} --help\``,
      },
    );
  }
  const missing = declared.filter((a, i) => a.required && parsed.positionals[i] === undefined);
  if (missing.length) {
    throw new InputError(`${where}: missing ${missing.map((a) => a.name).join(' ')}`, {
      field: missing[0].name,
      remedy: `usage: ${usageLine(cmd)}`,
    });
  }
  if (!cmd.rest && parsed.rest.length) {
    throw new InputError(`${where}: takes nothing after --, got: ${parsed.rest.join(' ')}`, {
      field: '--',
      remedy: `see \`${where} --help\``,
    });
  }
}

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  let parsed: ParsedArgs;
  try {
    const { values, positionals } = parseArgs({
      args: own,
      options: parserOptions(cmd),
      allowPositionals: true,
      strict: true,
    });
    parsed = { values: values as ParsedArgs['values'], positionals, rest };
  } catch (err) {
    throw flagError(cmd, err as Error);
  }
  if (!parsed.values.help) checkPositionals(cmd, parsed);
  return parsed;
}

export async function main(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  const controller = new AbortController();
  // The reason names the signal: a stopped run says why in its last words.
  const onSignal = (sig: NodeJS.Signals) => controller.abort(new Error(`${sig} received`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const given = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    signal: controller.signal,
    redactor: new Redactor(),
    ...partialIo,
  };
  // One redactor between every command and the terminal or log: it knows secret-looking
  // environment values now, and the app's secrets once a session has read them.
  given.redactor.addSecretLooking(given.env);
  const io: CliIo = {
    ...given,
    stdout: redacting(given.stdout, given.redactor),
    stderr: redacting(given.stderr, given.redactor),
  };
  try {
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
  } catch (err) {
    return reportError(err, io.stderr);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
