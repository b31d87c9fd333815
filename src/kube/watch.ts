// Reads a watch stream (one JSON event per line) and re-establishes it when it drops.
//
// A stream that breaks (reset, or silent past the watch idle clock) is re-opened from the last
// resourceVersion seen (bookmarks included), after a back-off, each time logged; a server that
// ends the stream itself (its timeoutSeconds) ends the watch. An ERROR event (410 Expired when the
// resourceVersion is too old) ends it with the typed error: the caller re-lists.
import { KubeApiError, RequestAbortedError, type KubeStatus } from './errors.js';
import { backoffMs } from './retry-policy.js';
import { openStream, type RequestContext, type RequestSpec } from './request.js';
import { apiError, unreachable } from './status-errors.js';
import type { KubeObject, KubeResponse, WatchEvent, WatchOptions } from './types.js';

export interface WatchSpec {
  apiVersion: string;
  kind: string;
  /** The request without resourceVersion / timeoutSeconds, which change per re-open. */
  request: RequestSpec;
  options: WatchOptions;
}

export async function* followWatch<T extends KubeObject>(
  ctx: RequestContext,
  w: WatchSpec,
): AsyncGenerator<WatchEvent<T>> {
  const own = w.options.signal;
  const deadline = w.options.timeoutSeconds ? ctx.deps.clock() + w.options.timeoutSeconds * 1000 : undefined;
  let rv = w.options.resourceVersion;
  for (let drops = 0; ;) {
    if (own?.aborted) return;
    let res: KubeResponse;
    try {
      res = await openStream(ctx, { ...w.request, query: watchQuery(w.request.query, rv, deadline, ctx) });
    } catch (err) {
      if (own?.aborted) return;
      throw err;
    }
    try {
      for await (const event of readWatch<T>(res, w.apiVersion, w.kind)) {
        drops = 0;
        rv = event.object.metadata.resourceVersion ?? rv;
        yield event;
      }
      return;
    } catch (err) {
      if (own?.aborted) return;
      if (ctx.signal?.aborted) throw new RequestAbortedError(w.request.what, ctx.signal.reason);
      if (err instanceof KubeApiError || w.options.reconnect === false) throw err;
      drops++;
      const waitMs = backoffMs(ctx.settings.retry, drops, ctx.deps.random);
      if (drops >= ctx.settings.retry.maxAttempts || (deadline && ctx.deps.clock() + waitMs >= deadline)) {
        throw unreachable(err, w.request.what, ctx.server, ctx.context);
      }
      ctx.deps.logger.warn(
        `${w.request.what}: the stream from ${ctx.server} dropped (${(err as Error).message}); re-establishing from resourceVersion ${rv ?? '(current state)'} in ${waitMs} ms`,
      );
      await ctx.deps.sleep(waitMs, own ?? ctx.signal);
    }
  }
}

function watchQuery(
  base: URLSearchParams | undefined,
  rv: string | undefined,
  deadline: number | undefined,
  ctx: RequestContext,
): URLSearchParams {
  const q = new URLSearchParams(base);
  if (rv) q.set('resourceVersion', rv);
  if (deadline) q.set('timeoutSeconds', String(Math.max(1, Math.ceil((deadline - ctx.deps.clock()) / 1000))));
  return q;
}

export async function* readWatch<T extends KubeObject>(
  res: KubeResponse,
  apiVersion: string,
  kind: string,
): AsyncGenerator<WatchEvent<T>> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield toEvent<T>(line, apiVersion, kind);
    }
  }
  if (buffer.trim()) yield toEvent<T>(buffer.trim(), apiVersion, kind);
}

function toEvent<T extends KubeObject>(line: string, apiVersion: string, kind: string): WatchEvent<T> {
  const event = JSON.parse(line) as { type: string; object: T & KubeStatus };
  if (event.type === 'ERROR') {
    const status = event.object as KubeStatus;
    throw apiError(status.code ?? 500, status, `watch ${kind}`, '');
  }
  const object = {
    ...event.object,
    apiVersion: event.object.apiVersion ?? apiVersion,
    kind: event.object.kind ?? kind,
  };
  return { type: event.type as WatchEvent['type'], object };
}
