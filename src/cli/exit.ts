// The one place where errors become exit codes and messages.
import { CutoverError, EXIT_CODES, InputError } from '../errors.js';
import type { Writable } from 'node:stream';

export function exitCodeFor(err: unknown): number {
  if (err instanceof CutoverError) return EXIT_CODES[err.kind];
  return 1;
}

export function describeError(err: unknown): string {
  if (err instanceof CutoverError) {
    const where =
      err instanceof InputError && (err.file || err.field)
        ? `${[err.file, err.field].filter(Boolean).join(': ')}: `
        : '';
    const lines = [`error: ${where}${err.message}`];
    if (err.remedy) lines.push(`  fix: ${err.remedy}`);
    return lines.join('\n');
  }
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}

export function reportError(err: unknown, stderr: Writable): number {
  stderr.write(describeError(err) + '\n');
  if (process.env.CUTOVER_DEBUG && err instanceof Error && err.stack) stderr.write(err.stack + '\n');
  return exitCodeFor(err);
}
