// The shape every CLI command implements. Commands are thin adapters: they parse flags,
// call one function of the engine (or of the local cluster), and print the result.
// Everything a user reads about a command — `--help`, `cutover help CMD`, the general help and
// docs/cli.md — is derived from the registry entry (summary) and this object (the rest).
import type { Writable } from 'node:stream';
import type { Redactor } from '../engine/redact.js';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal and CI is not set: live progress instead of timestamped lines. */
  interactive: boolean;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); long-running commands race against it. */
  signal: AbortSignal;
  /** Everything written to stdout/stderr passes through it; sessions teach it the app's secrets. */
  redactor: Redactor;
}

/** One flag: node:util parseArgs' fields plus what help shows. */
export interface FlagDef {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean | string[];
  /** One line for `--help` and docs/cli.md: what the flag does. */
  description: string;
  /** Placeholder shown after a string flag, e.g. IMAGE in `--image IMAGE`. Default VALUE. */
  value?: string;
  /** The default as a user should read it when it is not `default` (e.g. from cutover.yaml). */
  defaultText?: string;
}

export type FlagSpec = Record<string, FlagDef>;

/** A positional argument. Any positional beyond the declared ones is bad input (exit 2). */
export interface ArgDef {
  name: string;
  description: string;
  required?: boolean;
  /** Takes every remaining positional. */
  variadic?: boolean;
}

export interface Example {
  /** The words after `cutover`. */
  command: string;
  description: string;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Everything after a bare `--` (only for commands that declare `rest`). */
  rest: string[];
}

export interface Command {
  /** Words that name the command, e.g. ['local', 'up'] or ['deploy']. Its summary is in the registry. */
  path: string[];
  /** Usage line after `cutover <path>`, e.g. '--image IMAGE [--color blue|green]'. */
  usage?: string;
  /** Longer explanation shown by `--help` under the summary. */
  description?: string;
  flags: FlagSpec;
  /** Positional arguments; none when absent. */
  args?: ArgDef[];
  /** What a bare `--` followed by words means, e.g. 'the command the image runs'; refused when absent. */
  rest?: string;
  examples?: Example[];
  /** Exit codes this command can end with (0 is implied). Meanings are in EXIT_CODE_MEANINGS. */
  exitCodes: number[];
  /** Returns the exit code (0 on success). Throw CutoverError subclasses for failures. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export const EXIT_CODE_MEANINGS: Record<number, string> = {
  0: 'done',
  1: 'the operation failed (rollout, checks, verification)',
  2: 'bad input; nothing was applied',
  3: 'refused by a safety guard',
  4: 'the release lock was not acquired in time',
  5: 'the cluster is unreachable or refused our credentials',
};

/** Exit codes of a command that reads and writes the cluster under the lock. */
export const MUTATING_EXIT_CODES = [1, 2, 3, 4, 5];
/** Exit codes of a command that only reads the cluster. */
export const READING_EXIT_CODES = [1, 2, 5];
