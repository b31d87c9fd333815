// Watch streams (reference §2.7): newline-delimited JSON events over a chunked 200 response whose
// headers are flushed at once (kubectl's reflector waits for them). Start semantics:
// - resourceVersion unset or "0": synthetic ADDED for every current object, then live events;
// - resourceVersion=N: every event after N from the store's history, or an ERROR 410 event when
//   that history is gone (the client re-lists);
// - sendInitialEvents=true: current objects, then a BOOKMARK annotated k8s.io/initial-events-end.
// With a selector, an object that stops matching is sent as DELETED and one that starts matching
// as ADDED, as the real watch cache does.
import { ApiError, badRequest, invalid } from '../store/api-error.js';
import type { KubeObject, StoreEvent } from '../store/types.js';
import { includeObjectPolicy, present, wantsTable, type Call } from './call.js';
import type { IncludeObjectPolicy } from './tables/index.js';
import { groupVersion } from './paths.js';
import { queryBool } from '../query-params.js';
import { selectorFromQuery, type Matcher } from './selectors.js';

/** The real server's default when the client sends no timeoutSeconds (min-request-timeout is 30 min). */
const DEFAULT_TIMEOUT_SECONDS = 1800;
/** A client that reads this far behind is cut off instead of growing the server's memory. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

interface WatchOptions {
  match: Matcher | undefined;
  since: number | undefined;
  initialEvents: boolean;
  sendInitialEnd: boolean;
  bookmarks: boolean;
  timeoutMs: number;
  /** Set when the client asked for Table events: what each row carries of its object. */
  table: IncludeObjectPolicy | undefined;
}

function parseOptions(call: Call): WatchOptions {
  const q = call.query;
  const match = selectorFromQuery(q, call.route.type);
  const rv = q.get('resourceVersion') ?? '';
  if (rv !== '' && !/^\d+$/.test(rv))
    throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: must be a non-negative integer`);
  const timeout = q.get('timeoutSeconds');
  if (timeout !== null && !/^\d+$/.test(timeout))
    throw badRequest(
      `timeoutSeconds: Invalid value: ${JSON.stringify(timeout)}: must be a non-negative integer`,
    );
  const sendInitial = q.get('sendInitialEvents');
  const bookmarks = queryBool(q, 'allowWatchBookmarks');
  if (sendInitial !== null) checkSendInitialEvents(call, bookmarks);
  const initialEnd = queryBool(q, 'sendInitialEvents');
  return {
    match,
    since: rv === '' || rv === '0' || initialEnd ? undefined : Number(rv),
    initialEvents: rv === '' || rv === '0' || initialEnd,
    sendInitialEnd: initialEnd,
    bookmarks,
    timeoutMs: (timeout !== null ? Number(timeout) : DEFAULT_TIMEOUT_SECONDS) * 1000,
    table: wantsTable(call) ? includeObjectPolicy(call) : undefined,
  };
}

// The rules of ListOptions validation for streaming lists (apimachinery validation.go).
function checkSendInitialEvents(call: Call, bookmarks: boolean): void {
  const causes: Array<{ reason: string; message: string; field: string }> = [];
  if (call.query.get('resourceVersionMatch') !== 'NotOlderThan') {
    causes.push({
      reason: 'FieldValueForbidden',
      message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      field: 'resourceVersionMatch',
    });
  }
  if (!bookmarks)
    causes.push({
      reason: 'FieldValueForbidden',
      message: 'Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true',
      field: 'allowWatchBookmarks',
    });
  if (causes.length)
    throw invalid({ group: 'meta.k8s.io', resource: 'ListOptions', kind: 'ListOptions' }, '', causes);
}

export function handleWatch(call: Call): void {
  call.verb = 'WATCH';
  const options = parseOptions(call);
  const { res } = call;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  new WatchStream(call, options).start();
}

class WatchStream {
  private readonly matching = new Set<string>();
  private stopStore: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private corked = false;
  private readonly apiVersion: string;

  constructor(
    private readonly call: Call,
    private readonly options: WatchOptions,
  ) {
    this.apiVersion = groupVersion(call.route.group, call.route.version);
  }

  start(): void {
    const { call, options } = this;
    const { store, openWatches } = call.ctx;
    call.req.on('close', () => this.stop());
    call.res.on('error', () => this.stop());
    openWatches.add(this.stopAndEnd);
    // List and subscribe in one synchronous step: no write can fall between them.
    if (options.initialEvents) this.sendInitial();
    else if (options.match) this.seedMatching();
    try {
      if (options.since !== undefined) call.ctx.watchWindows.check(call.route.type, options.since);
      this.stopStore = store.watch(call.route.type, (e) => this.onEvent(e), {
        namespace: call.route.namespace,
        sinceResourceVersion: options.since,
      });
    } catch (err) {
      if (err instanceof ApiError) {
        this.write({ type: 'ERROR', object: err.status });
        this.stopAndEnd();
        return;
      }
      throw err;
    }
    if (options.sendInitialEnd) this.bookmark(true);
    if (options.bookmarks)
      this.timers.push(setInterval(() => this.bookmark(false), call.ctx.bookmarkIntervalMs));
    this.timers.push(setTimeout(this.stopAndEnd, options.timeoutMs));
  }

  private sendInitial(): void {
    const { store } = this.call.ctx;
    const { items } = store.list(this.call.route.type, this.call.route.namespace);
    for (const obj of items) {
      if (this.options.match && !this.options.match(obj)) continue;
      if (this.options.match) this.matching.add(key(obj));
      this.send('ADDED', obj);
    }
  }

  private seedMatching(): void {
    const { items } = this.call.ctx.store.list(this.call.route.type, this.call.route.namespace);
    for (const obj of items) if (this.options.match!(obj)) this.matching.add(key(obj));
  }

  private onEvent(event: StoreEvent): void {
    if (this.closed) return;
    const match = this.options.match;
    if (!match) {
      this.sendShared(event.type, event);
      return;
    }
    const obj = sharedObject(event);
    const k = key(obj);
    const was = this.matching.has(k);
    if (event.type === 'DELETED') {
      if (was || match(obj)) this.sendShared('DELETED', event);
      this.matching.delete(k);
    } else if (match(obj)) {
      this.matching.add(k);
      this.sendShared(was ? event.type : 'ADDED', event);
    } else if (was) {
      this.matching.delete(k);
      this.sendShared('DELETED', event);
    }
  }

  // Every watcher of a resource gets the same event in turn, so the line is built once and reused.
  private sendShared(type: string, event: StoreEvent): void {
    if (this.options.table) {
      this.send(type, event.object);
      return;
    }
    this.writeRaw(sharedLine(type, event, this.apiVersion, this.call.route.type.kind));
  }

  private send(type: string, obj: KubeObject): void {
    const served = present(this.call, obj);
    const object = this.options.table
      ? this.call.ctx.modules.toTable(this.call.route.type, [served], {
          resourceVersion: served.metadata.resourceVersion ?? '',
          includeObject: this.options.table,
        })
      : served;
    this.write({ type, object });
  }

  private bookmark(initialEnd: boolean): void {
    const metadata: Record<string, unknown> = {
      resourceVersion: String(this.call.ctx.store.currentResourceVersion()),
    };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    this.write({
      type: 'BOOKMARK',
      object: { kind: this.call.route.type.kind, apiVersion: this.apiVersion, metadata },
    });
  }

  private write(event: unknown): void {
    this.writeRaw(`${JSON.stringify(event)}\n`);
  }

  private writeRaw(line: string): void {
    const { res } = this.call;
    if (this.closed || res.destroyed) return;
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.stop();
      res.destroy();
      return;
    }
    // Events of one loop turn go out in one write: a burst of updates costs one syscall per watcher.
    if (!this.corked) {
      this.corked = true;
      res.cork();
      setImmediate(() => this.uncork());
    }
    res.write(line);
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.call.res.uncork();
  }

  private stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopStore?.();
    for (const t of this.timers) clearTimeout(t);
    this.call.ctx.openWatches.delete(this.stopAndEnd);
  }

  private readonly stopAndEnd = (): void => {
    this.stop();
    // Node 22 and later drop what a corked response holds when it ends after flushHeaders():
    // the ERROR event of a 410 was lost there, so the events go out before the end.
    this.uncork();
    if (!this.call.res.writableEnded) this.call.res.end();
  };
}

// A one-event cache: the store delivers one write to all watchers synchronously, one after the
// other, so parsing and serialising it once serves them all. The cached object is read-only.
let cached: { event: string; object: KubeObject; lines: Map<string, string> } | undefined;

function cacheFor(event: StoreEvent): NonNullable<typeof cached> {
  const id = `${event.resourceVersion}\u0000${event.resource.group}/${event.resource.resource}`;
  if (cached?.event !== id) {
    const object = event.json ? (JSON.parse(event.json) as KubeObject) : event.object;
    cached = { event: id, object, lines: new Map() };
  }
  return cached;
}

function sharedObject(event: StoreEvent): KubeObject {
  return cacheFor(event).object;
}

function sharedLine(type: string, event: StoreEvent, apiVersion: string, kind: string): string {
  const entry = cacheFor(event);
  const lineKey = `${type} ${apiVersion}`;
  let line = entry.lines.get(lineKey);
  if (!line) {
    const object =
      entry.object.apiVersion === apiVersion && entry.object.kind === kind
        ? entry.object
        : { ...entry.object, apiVersion, kind };
    line = `{"type":"${type}","object":${JSON.stringify(object)}}\n`;
    entry.lines.set(lineKey, line);
  }
  return line;
}

function key(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}
