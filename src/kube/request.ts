// One API call with cutover's bounds and retry policy (retry-policy.ts says which failures are
// retried; defaults.ts how long things may take). Every attempt is counted and every retry is
// logged with its reason. A write whose outcome is unknown is never simply sent again: the
// caller's `readBack` reads the object first and says whether the write took effect. A write whose
// outcome stays unknown (the read failed, the tries ran out on a lost answer, or the call was
// stopped) leaves an UnsettledWrite on its error, for the engine to settle by reading later.
import { RequestAbortedError } from './errors.js';
import type { RequestCredentials } from './credentials.js';
import type { ClientSettings } from './defaults.js';
import {
  actionFor,
  backoffMs,
  retryAfterMs,
  type AttemptFailure,
  type FailureAction,
  type RequestKind,
} from './retry-policy.js';
import { apiError, parseStatus, socketErrorCode, unreachable } from './status-errors.js';
import { TransportTimeoutError } from './transport.js';
import type { KubeDeps, KubeObject, KubeResponse, ObjectRef, RequestTimeouts } from './types.js';
import { markUnsettled } from './unsettled-write.js';

/** What reading the object back says about a write whose answer was lost. */
export type WriteResolution =
  | { outcome: 'applied'; object: unknown }
  | { outcome: 'not-applied' }
  | { outcome: 'conflict'; error: Error };

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  contentType?: string;
  /** Decides what may be retried (retry-policy.ts). */
  kind: RequestKind;
  /** Human name for messages, e.g. `get deployments default/web`. */
  what: string;
  /** The call's own signal; the client's signal applies too. */
  signal?: AbortSignal;
  /** Return after the headers with the body unread (watch); only the opening is retried. */
  streaming?: boolean;
  accept?: string;
  /** Writes: how to learn by reading whether an attempt with a lost answer took effect. */
  readBack?: ReadBack;
}

export interface ReadBack {
  ref: ObjectRef;
  /** GETs the object (undefined when absent). */
  read: (signal: AbortSignal | undefined) => Promise<KubeObject | undefined>;
  /** What the object as read says about the write (write-outcome.ts). */
  judge: (now: KubeObject | undefined) => WriteResolution;
}

export interface RequestContext {
  server: string;
  context: string;
  deps: KubeDeps;
  settings: ClientSettings;
  /** The client's signal (e.g. SIGTERM): aborts every call. */
  signal?: AbortSignal;
  /** What proves who we are, per attempt (credentials.ts). */
  credentials: () => Promise<RequestCredentials>;
  /** After a 401: renew the credentials; true when one more attempt is worth it. */
  renewCredentials: () => Promise<boolean>;
  count: () => void;
}

/** A finished answer: the body already read (so a stall or reset in it was retried too). */
export interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

/** An ordinary call: retried as the policy allows, body read inside each attempt. */
export async function sendRequest(ctx: RequestContext, spec: RequestSpec): Promise<Answer> {
  const answer = await withRetries(ctx, { ...spec, streaming: false });
  return answer as Answer;
}

/** Opens a stream (watch): retried until the headers arrive; the body is the caller's to read. */
export async function openStream(ctx: RequestContext, spec: RequestSpec): Promise<KubeResponse> {
  const answer = await withRetries(ctx, { ...spec, streaming: true });
  return answer as KubeResponse;
}

/** The client's and the call's signals as one. */
export function callSignal(ctx: RequestContext, own?: AbortSignal): AbortSignal | undefined {
  const all = [ctx.signal, own].filter((s): s is AbortSignal => s !== undefined);
  return all.length <= 1 ? all[0] : AbortSignal.any(all);
}

interface Failed {
  failure: AttemptFailure;
  error: Error;
  serverAskedMs?: number;
}

async function withRetries(ctx: RequestContext, spec: RequestSpec): Promise<Answer | KubeResponse> {
  try {
    return await retried(ctx, spec);
  } catch (err) {
    // Stopped once a write may have left: whether it took effect is for the engine to settle.
    if (spec.readBack && err instanceof RequestAbortedError) throw unsettledBy(spec, err);
    throw err;
  }
}

async function retried(ctx: RequestContext, spec: RequestSpec): Promise<Answer | KubeResponse> {
  const signal = callSignal(ctx, spec.signal);
  const { retry } = ctx.settings;
  const started = ctx.deps.clock();
  let renewed = false;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(ctx, spec, signal);
    if (!('failure' in result)) return result;
    // Expired credentials (an exec plugin's token, a rotated token file): renew once and resend;
    // the server refused the request, so even a write is safe to send again.
    if (result.failure.status === 401 && !renewed && (await ctx.renewCredentials())) {
      renewed = true;
      ctx.deps.logger.warn(
        `${spec.what}: the API server at ${ctx.server} answered 401; credentials renewed, sending it again`,
      );
      continue;
    }
    const action = actionFor(spec.kind, result.failure);
    if (action === 'fail' || (action === 'resolve' && !spec.readBack)) throw result.error;
    const waitMs = backoffMs(retry, attempt, ctx.deps.random, result.serverAskedMs);
    const elapsedMs = ctx.deps.clock() - started;
    if (attempt >= retry.maxAttempts || elapsedMs + waitMs > retry.budgetMs) {
      const error = gaveUp(ctx, spec, result, attempt, elapsedMs);
      // Out of tries with the last answer lost: whether it took effect is unknown, and another
      // read here would spend a second budget on a server that is failing; the engine settles it.
      throw action === 'resolve' ? unsettledBy(spec, error) : error;
    }
    ctx.deps.logger.warn(retryLine(ctx, spec, result, action, waitMs, attempt));
    await ctx.deps.sleep(waitMs, signal);
    if (signal?.aborted) throw new RequestAbortedError(spec.what, signal.reason);
    if (action === 'resolve') {
      const resolution = await resolveWrite(spec, signal, result);
      if (resolution.outcome === 'applied') return appliedAnswer(ctx, spec, resolution.object);
      if (resolution.outcome === 'conflict') throw resolution.error;
    }
  }
}

function appliedAnswer(ctx: RequestContext, spec: RequestSpec, object: unknown): Answer {
  ctx.deps.logger.warn(`${spec.what}: the earlier attempt took effect (read back); not sending it again`);
  return { status: 200, headers: {}, text: JSON.stringify(object) };
}

function unsettledBy<E extends Error>(spec: RequestSpec, err: E): E {
  const { ref, judge } = spec.readBack!;
  return markUnsettled(err, { what: spec.what, ref, judge });
}

async function attemptOnce(
  ctx: RequestContext,
  spec: RequestSpec,
  signal: AbortSignal | undefined,
): Promise<Answer | KubeResponse | Failed> {
  if (signal?.aborted) throw new RequestAbortedError(spec.what, signal.reason);
  try {
    const res = await sendOnce(ctx, spec, signal);
    if (spec.streaming && res.status < 400) return res;
    const text = await res.text();
    if (res.status < 400) return { status: res.status, headers: res.headers, text };
    const status = parseStatus(res.status, text);
    const askedSeconds = status.details?.retryAfterSeconds;
    return {
      failure: { status: res.status },
      error: apiError(res.status, status, spec.what, ctx.server),
      serverAskedMs:
        retryAfterMs(res.headers['retry-after'], ctx.deps.clock()) ??
        (askedSeconds !== undefined ? askedSeconds * 1000 : undefined),
    };
  } catch (err) {
    if (signal?.aborted) throw new RequestAbortedError(spec.what, signal.reason);
    const notSent = err instanceof TransportTimeoutError && err.phase === 'connect';
    return {
      failure: { code: socketErrorCode(err), notSent },
      error: unreachable(err, spec.what, ctx.server, ctx.context),
    };
  }
}

async function sendOnce(
  ctx: RequestContext,
  spec: RequestSpec,
  signal: AbortSignal | undefined,
): Promise<KubeResponse> {
  ctx.count();
  const query = spec.query?.toString();
  const credentials = await ctx.credentials();
  const headers: Record<string, string> = {
    accept: spec.accept ?? 'application/json',
    'user-agent': 'cutover',
    ...credentials.headers,
  };
  let body: string | undefined;
  if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    headers['content-type'] = spec.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const timeouts: RequestTimeouts = spec.streaming ? ctx.settings.watchTimeouts : ctx.settings.timeouts;
  return ctx.deps.fetch({
    method: spec.method,
    url: `${ctx.server}${spec.path}${query ? `?${query}` : ''}`,
    headers,
    body,
    signal,
    timeouts,
    clientCert: credentials.clientCert,
  });
}

async function resolveWrite(
  spec: RequestSpec,
  signal: AbortSignal | undefined,
  lost: Failed,
): Promise<WriteResolution> {
  const { read, judge } = spec.readBack!;
  try {
    return judge(await read(signal));
  } catch (err) {
    if (err instanceof RequestAbortedError) throw err;
    // Keep the class of the read's error (exit code), but say why we were reading.
    (err as Error).message =
      `${spec.what}: the answer was lost (${failureText(lost)}) and reading the object back failed: ${(err as Error).message}`;
    throw unsettledBy(spec, err as Error);
  }
}

function failureText(f: Failed): string {
  if (f.failure.status !== undefined) {
    const reason = (f.error as { reason?: string }).reason;
    return `${f.failure.status}${reason && reason !== String(f.failure.status) ? ` ${reason}` : ''}: ${f.error.message}`;
  }
  return f.error.message.replace(/^.*?: cannot reach/, 'cannot reach');
}

function retryLine(
  ctx: RequestContext,
  spec: RequestSpec,
  f: Failed,
  action: FailureAction,
  waitMs: number,
  attempt: number,
): string {
  const what = f.failure.status !== undefined ? `the API server at ${ctx.server} answered ` : '';
  const next = action === 'resolve' ? 'the outcome is unknown; reading the object back' : 'retrying';
  return `${spec.what}: ${what}${failureText(f)}; ${next} in ${waitMs} ms (attempt ${attempt + 1} of ${ctx.settings.retry.maxAttempts})`;
}

/** The last attempt's error, its message naming the call, the server, the fault and the tries. */
function gaveUp(
  ctx: RequestContext,
  spec: RequestSpec,
  f: Failed,
  attempts: number,
  elapsedMs: number,
): Error {
  const base =
    f.failure.status !== undefined
      ? `${spec.what}: the API server at ${ctx.server} answered ${failureText(f)}`
      : f.error.message;
  f.error.message = `${base} (gave up after ${attempts} attempts in ${(elapsedMs / 1000).toFixed(1)} s)`;
  return f.error;
}
