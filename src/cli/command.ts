// The shape every CLI command implements. Commands are thin adapters: they parse flags,
// call one function of the engine (or of the local cluster), and print the result.
import type { Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal and CI is not set: live progress instead of timestamped lines. */
  interactive: boolean;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); long-running commands race against it. */
  signal: AbortSignal;
}

/** Flag spec in node:util parseArgs form. */
export type FlagSpec = Record<
  string,
  { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean | string[] }
>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Everything after a bare `--`. */
  rest: string[];
}

export interface Command {
  /** Words that name the command, e.g. ['local', 'up'] or ['deploy']. */
  path: string[];
  summary: string;
  /** Usage line after `cutover <path>`, e.g. '--image IMAGE [--color blue|green]'. */
  usage?: string;
  flags: FlagSpec;
  /** Returns the exit code (0 on success). Throw CutoverError subclasses for failures. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
