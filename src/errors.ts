// Typed errors of cutover. Each maps to one exit code (see docs/exit-codes.md and DESIGN):
// 0 done · 1 operation failed · 2 bad input, nothing applied · 3 refused by a safety guard ·
// 4 lock not acquired in time · 5 cluster unreachable or unauthorised.
// They are turned into exit codes in exactly one place: src/cli/exit.ts.

export type ErrorKind = 'failed' | 'input' | 'guard' | 'lock' | 'unreachable';

export class CutoverError extends Error {
  readonly kind: ErrorKind;
  /** What the user can do about it; printed after the message. */
  readonly remedy?: string;
  constructor(kind: ErrorKind, message: string, options: { cause?: unknown; remedy?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.remedy = options.remedy;
  }
}

/** The operation ran and failed: rollout timeout, smoke tests failed, verification failed. Exit 1. */
export class OperationFailedError extends CutoverError {
  constructor(message: string, options: { cause?: unknown; remedy?: string } = {}) {
    super('failed', message, options);
  }
}

/** Bad input (config, manifests, flags, variables). Nothing was written. Exit 2. */
export class InputError extends CutoverError {
  /** File the problem is in, if any. */
  readonly file?: string;
  /** Field path inside the file, e.g. `spec.gateway.hosts[0]`. */
  readonly field?: string;
  constructor(
    message: string,
    options: { cause?: unknown; remedy?: string; file?: string; field?: string } = {},
  ) {
    super('input', message, options);
    this.file = options.file;
    this.field = options.field;
  }
}

/** A safety guard refused the operation (live color, stale release, untested release...). Exit 3. */
export class GuardError extends CutoverError {
  constructor(message: string, options: { cause?: unknown; remedy?: string } = {}) {
    super('guard', message, options);
  }
}

/** The release lock was not acquired in time (or --no-wait and it is held). Exit 4. */
export class LockError extends CutoverError {
  constructor(message: string, options: { cause?: unknown; remedy?: string } = {}) {
    super('lock', message, options);
  }
}

/** The cluster could not be reached, or refused our credentials. Exit 5. */
export class UnreachableError extends CutoverError {
  constructor(message: string, options: { cause?: unknown; remedy?: string } = {}) {
    super('unreachable', message, options);
  }
}

export const EXIT_CODES: Record<ErrorKind, number> = {
  failed: 1,
  input: 2,
  guard: 3,
  lock: 4,
  unreachable: 5,
};

/**
 * Everything a preflight found wrong, reported at once (DESIGN principle 7). Bad input wins the
 * exit code over a guard's refusal: exit 2 when any problem is bad input, else 3. Nothing was
 * written when this is thrown.
 */
export class PreflightError extends CutoverError {
  readonly problems: Array<InputError | GuardError>;
  constructor(problems: Array<InputError | GuardError>) {
    const input = problems.some((p) => p instanceof InputError);
    super(
      input ? 'input' : 'guard',
      `${problems.length} problems found before any write; nothing was applied`,
      {
        remedy: 'fix each of them (listed above) and run the command again',
      },
    );
    this.problems = problems;
  }
}
