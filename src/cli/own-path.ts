// A command started on its own path: bin/cutover.js runs its one-file bundle
// (dist/src/cli/NAME-main.cjs, scripts/build.mjs) instead of main.ts, so that the switch both ways
// starts without the registry or the other commands (docs/adr/0016-fast-rollback.md,
// docs/adr/0023-promote-on-its-own-path.md). It parses, runs and reports exactly as main.ts
// would; help goes to main.ts, which owns the help texts.
import type { CliIo, Command } from './command.js';
import { parseCommandArgs } from './parse-args.js';
import { runWithIo } from './run.js';

/** The `main` of a bundle that holds `command` alone; `argv` as main takes it, the word first. */
export function ownPathMain(command: Command) {
  const word = command.path[0];
  return async (argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> => {
    if (argv[0] !== word || argv.includes('--help') || argv.includes('-h'))
      return (await import('./main.js')).main(argv, partialIo);
    return runWithIo(partialIo, async (io) => command.run(parseCommandArgs(command, argv.slice(1)), io));
  };
}
