// Reads a watch stream: one JSON event per line. An ERROR event (e.g. 410 Expired when the
// resourceVersion is too old) ends the watch with the typed error, so the caller re-lists.
import { apiError } from './status-errors.js';
import type { KubeStatus } from './errors.js';
import type { KubeObject, KubeResponse, WatchEvent } from './types.js';

export async function* readWatch<T extends KubeObject>(
  res: KubeResponse,
  apiVersion: string,
  kind: string,
  signal?: AbortSignal,
): AsyncGenerator<WatchEvent<T>> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) yield toEvent<T>(line, apiVersion, kind);
      }
    }
  } catch (err) {
    // Aborting destroys the socket mid-read: that is how a caller stops a watch, not a failure.
    if (signal?.aborted) return;
    throw err;
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
