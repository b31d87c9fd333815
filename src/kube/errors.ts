// Typed errors of the cluster access layer. API errors carry the server's Status body; the
// engine branches on the class (NotFoundError on a first deploy, ConflictError on a lost race).
// Refusals of our credentials and unreachable servers are UnreachableError (exit 5) from
// src/errors.ts, so one exit code covers "cannot talk to this cluster".
import { CutoverError } from '../errors.js';

/** The Status object the API server sends with every error. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
    retryAfterSeconds?: number;
  };
}

/** An error answer of the API server. Exit code 1 unless caught by the engine. */
export class KubeApiError extends CutoverError {
  /** HTTP status code. */
  readonly code: number;
  /** Status.reason, e.g. 'NotFound', 'Conflict', 'Invalid', 'TooManyRequests'. */
  readonly reason: string;
  readonly status: KubeStatus;
  constructor(code: number, status: KubeStatus, options: { cause?: unknown; remedy?: string } = {}) {
    super('failed', status.message || `API server answered ${code}`, options);
    this.code = code;
    this.reason = status.reason || String(code);
    this.status = status;
  }
}

/** 404: the object (or its namespace) does not exist. */
export class NotFoundError extends KubeApiError {}
/** 409 Conflict: resourceVersion or precondition mismatch; re-read and retry. */
export class ConflictError extends KubeApiError {}
/** 409 AlreadyExists: a create lost to another writer. */
export class AlreadyExistsError extends KubeApiError {}
/** 422 Invalid (or 400 BadRequest): the server refused the object; `causes` name the fields. */
export class InvalidError extends KubeApiError {
  get causes(): Array<{ reason?: string; message?: string; field?: string }> {
    return this.status.details?.causes ?? [];
  }
}

export function isNotFound(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError;
}
export function isConflict(err: unknown): err is ConflictError {
  return err instanceof ConflictError;
}
export function isAlreadyExists(err: unknown): err is AlreadyExistsError {
  return err instanceof AlreadyExistsError;
}

/**
 * The caller's AbortSignal fired (SIGTERM, an operation deadline) while a request, watch or exec
 * was in flight or waiting to retry. Exit 1; `cause` is the signal's reason.
 */
export class RequestAbortedError extends CutoverError {
  constructor(what: string, reason: unknown) {
    const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
    super('failed', `${what}: stopped before it finished (${why})`, { cause: reason });
  }
}

export function isAborted(err: unknown): err is RequestAbortedError {
  return err instanceof RequestAbortedError;
}
