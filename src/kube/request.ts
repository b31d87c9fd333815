// One API request with cutover's retry policy and error typing. Every attempt is counted.
//
// Retried (bounded, with the injected sleep, exponential back-off, Retry-After honoured):
// - 429 for every verb (the server did not process the request);
// - 5xx except 501, and ECONNRESET / ETIMEDOUT / EPIPE, only for calls that are safe to repeat:
//   GET, resourceVersion-checked PUT, merge PATCH (same result twice) and DELETE (a 404 on a
//   retry means an earlier attempt did it). POST is never repeated after it may have reached the server.
// Connection refused and DNS failures are not retried: the server is not there, say so at once.
import { apiError, parseStatus, socketErrorCode, unreachable } from './status-errors.js';
import { NotFoundError } from './errors.js';
import type { KubeDeps, KubeResponse } from './types.js';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  contentType?: string;
  /** Safe to repeat after a 5xx or reset. */
  idempotent: boolean;
  /** Human name for messages, e.g. `GET deployments.apps default/web`. */
  what: string;
  signal?: AbortSignal;
  /** No response-header timeout (watch, follow). */
  streaming?: boolean;
  accept?: string;
}

export interface RequestContext {
  server: string;
  context: string;
  deps: KubeDeps;
  maxAttempts: number;
  retryBaseMs: number;
  requestTimeoutMs: number;
  headers: () => Promise<Record<string, string>>;
  count: () => void;
}

const TRANSIENT_SOCKET = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']);
const MAX_BACKOFF_MS = 2_000;

export async function sendRequest(ctx: RequestContext, spec: RequestSpec): Promise<KubeResponse> {
  let hadTransient = false;
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= ctx.maxAttempts;
    let res: KubeResponse;
    try {
      res = await sendOnce(ctx, spec);
    } catch (err) {
      if (spec.signal?.aborted) throw err;
      const code = socketErrorCode(err);
      if (!last && spec.idempotent && code && TRANSIENT_SOCKET.has(code)) {
        hadTransient = true;
        await backoff(ctx, attempt, undefined, spec);
        continue;
      }
      throw unreachable(err, spec.what, ctx.server, ctx.context);
    }
    if (res.status < 400) return res;
    const text = await res.text();
    const retryable = res.status === 429 || (spec.idempotent && res.status >= 500 && res.status !== 501);
    if (retryable && !last) {
      hadTransient = true;
      ctx.deps.logger.debug(
        `${spec.what}: ${res.status}, retrying (attempt ${attempt + 1}/${ctx.maxAttempts})`,
      );
      await backoff(ctx, attempt, res.headers['retry-after'], spec);
      continue;
    }
    const err = apiError(res.status, parseStatus(res.status, text), spec.what, ctx.server);
    // A DELETE whose earlier attempt got lost on the way back: the object is gone, as asked.
    if (err instanceof NotFoundError && spec.method === 'DELETE' && hadTransient) return res;
    throw err;
  }
}

async function sendOnce(ctx: RequestContext, spec: RequestSpec): Promise<KubeResponse> {
  ctx.count();
  const query = spec.query?.toString();
  const headers: Record<string, string> = {
    accept: spec.accept ?? 'application/json',
    'user-agent': 'cutover',
    ...(await ctx.headers()),
  };
  let body: string | undefined;
  if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    headers['content-type'] = spec.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return ctx.deps.fetch({
    method: spec.method,
    url: `${ctx.server}${spec.path}${query ? `?${query}` : ''}`,
    headers,
    body,
    signal: spec.signal,
    timeoutMs: spec.streaming ? undefined : ctx.requestTimeoutMs,
  });
}

function backoff(
  ctx: RequestContext,
  attempt: number,
  retryAfter: string | undefined,
  spec: RequestSpec,
): Promise<void> {
  const seconds = retryAfter ? Number(retryAfter) : NaN;
  const ms = Number.isFinite(seconds)
    ? Math.min(seconds * 1000, MAX_BACKOFF_MS * 2)
    : Math.min(ctx.retryBaseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  return ctx.deps.sleep(ms, spec.signal);
}
