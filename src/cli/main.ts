// Entry point of the cutover CLI: finds the command, parses its flags, runs it, and turns
// errors into exit codes (src/cli/exit.ts). Nothing below this file calls process.exit.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { commands, type CommandEntry } from './registry.js';
import type { CliIo, Command, ParsedArgs } from './command.js';
import { reportError } from './exit.js';
import { InputError } from '../errors.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

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

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'cutover — blue-green releases for Kubernetes with Istio',
    '',
    'Usage: cutover <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Exit codes: 0 done, 1 failed, 2 bad input, 3 refused by a guard, 4 lock busy, 5 cluster unreachable.',
    'Run `cutover <command> --help` for the flags of a command.',
  ].join('\n');
}

function commandHelp(cmd: Command): string {
  const flags = Object.entries(cmd.flags).map(
    ([name, spec]) =>
      `  --${name}${spec.type === 'string' ? ' VALUE' : ''}${spec.short ? `, -${spec.short}` : ''}`,
  );
  return [
    `Usage: cutover ${cmd.path.join(' ')} ${cmd.usage ?? ''}`.trimEnd(),
    '',
    cmd.summary,
    '',
    'Flags:',
    ...flags,
  ].join('\n');
}

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  try {
    const { values, positionals } = parseArgs({
      args: own,
      options: { ...cmd.flags, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals, rest };
  } catch (err) {
    throw new InputError(`cutover ${cmd.path.join(' ')}: ${(err as Error).message}`, {
      cause: err,
      remedy: `run \`cutover ${cmd.path.join(' ')} --help\``,
    });
  }
}

export async function main(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    signal: controller.signal,
    ...partialIo,
  };
  try {
    if (argv[0] === '--version' || argv[0] === 'version') {
      io.stdout.write(`cutover ${version()}\n`);
      return 0;
    }
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.stdout.write(helpText() + '\n');
      return 0;
    }
    const found = findCommand(argv);
    if (!found) {
      throw new InputError(`unknown command: ${argv.join(' ')}`, {
        remedy: 'run `cutover --help` for the list',
      });
    }
    const cmd = (await found.entry.load()).default;
    const args = parseCommandArgs(cmd, found.rest);
    if (args.values.help) {
      io.stdout.write(commandHelp(cmd) + '\n');
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
