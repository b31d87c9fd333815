// A command's words after its name → its flags and arguments, with every mistake an InputError
// that names the flag and the fix (exit 2). Apart from main.ts so that a command started on its
// own path (own-path.ts) parses exactly as main does without loading the registry.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Command, ParsedArgs } from './command.js';
import { InputError } from '../errors.js';
import { closest } from './suggest.js';

export function usageLine(cmd: Command): string {
  return `cutover ${cmd.path.join(' ')} ${cmd.usage ?? ''}`.trimEnd();
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
