// `cutover rollback` on its own start-up path: bin/cutover.js runs this module instead of
// main.ts for `cutover rollback …`, and the build bundles it into one file (no registry, no
// other command, no chunk graph to resolve; docs/adr/0016-fast-rollback.md). It parses, runs and
// reports exactly as main.ts would; help goes to main.ts, which owns the help texts.
import type { CliIo } from './command.js';
import command from './rollback/index.js';
import { parseCommandArgs } from './parse-args.js';
import { runWithIo } from './run.js';

/** `argv` as main takes it: the command's word first. */
export async function main(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  if (argv[0] !== 'rollback' || argv.includes('--help') || argv.includes('-h'))
    return (await import('./main.js')).main(argv, partialIo);
  return runWithIo(partialIo, async (io) => command.run(parseCommandArgs(command, argv.slice(1)), io));
}
