// The one place where errors become exit codes and messages.
import { CutoverError, EXIT_CODES, InputError, PreflightError } from '../errors.js';
import type { Writable } from 'node:stream';

export function exitCodeFor(err: unknown): number {
  if (err instanceof CutoverError) return EXIT_CODES[err.kind];
  return 1;
}

function whereOf(err: CutoverError): string {
  return err instanceof InputError && (err.file || err.field)
    ? `${[err.file, err.field].filter(Boolean).join(': ')}: `
    : '';
}

export function describeError(err: unknown): string {
  if (err instanceof PreflightError) {
    // Every problem with its own place and fix, numbered, so one run shows all of them.
    const lines = [`error: ${err.message}:`];
    err.problems.forEach((p, i) => {
      lines.push(`  ${i + 1}. ${whereOf(p)}${p.message}`);
      if (p.remedy) lines.push(`     fix: ${p.remedy}`);
    });
    return lines.join('\n');
  }
  if (err instanceof CutoverError) {
    const lines = [`error: ${whereOf(err)}${err.message}`];
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
