// Gathering the problems of a run before its first write, to report all of them at once
// (preflight.ts), and the input checks every mutating operation runs before its lock.
import { GuardError, InputError, PreflightError } from '../errors.js';
import type { EngineContext } from './context.js';
import { inputFindings } from './preflight-input.js';

export type Problem = InputError | GuardError;

export class Findings {
  readonly problems: Problem[] = [];

  add(...problems: Problem[]): void {
    for (const p of problems) {
      if (p instanceof PreflightError) this.problems.push(...p.problems);
      else this.problems.push(p);
    }
  }

  /** Runs a check that throws its problem; keeps the problem and goes on. Other errors propagate. */
  async collect<T>(check: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await check();
    } catch (err) {
      if (err instanceof PreflightError) this.problems.push(...err.problems);
      else if (err instanceof InputError || err instanceof GuardError) this.problems.push(err);
      else throw err;
      return undefined;
    }
  }

  /** One problem is thrown as itself (its usual message); several as one PreflightError. */
  throwIfAny(): void {
    if (this.problems.length === 1) throw this.problems[0]!;
    if (this.problems.length > 1) throw new PreflightError(this.problems);
  }
}

/** The input checks every mutating operation runs before its lock. */
export function preflightInput(ctx: EngineContext): void {
  const f = new Findings();
  f.add(...inputFindings(ctx));
  f.throwIfAny();
}
