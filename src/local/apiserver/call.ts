// One API request against a resource: the parsed route and query plus what every handler needs
// (store, pure modules, response helpers that put the served apiVersion on objects).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectStore, KubeObject } from '../store/types.js';
import { badRequest } from '../store/api-error.js';
import type { ApiModules, FieldValidation } from './modules.js';
import type { PodSubresourceHandlers } from './pod-subresources.js';
import { groupVersion, type ResourceRoute } from './paths.js';
import type { RequestMetrics } from './metrics.js';
import { sendJson, warningHeaders } from './http-io.js';
import type { IncludeObjectPolicy } from './tables/index.js';
import type { ListSnapshots } from './list-pages.js';
import type { WatchCacheWindows } from './watch-cache-window.js';

export interface ServerContext {
  store: ObjectStore;
  modules: ApiModules;
  pods?: PodSubresourceHandlers;
  metrics: RequestMetrics;
  /** Stops every open watch (on close). */
  openWatches: Set<() => void>;
  bookmarkIntervalMs: number;
  /** Snapshots that continue tokens of paginated lists read from. */
  listSnapshots: ListSnapshots;
  /** The watch cache's window: how old a resourceVersion a watch may start from. */
  watchWindows: WatchCacheWindows;
}

export interface Call {
  ctx: ServerContext;
  req: IncomingMessage;
  res: ServerResponse;
  route: ResourceRoute;
  query: URLSearchParams;
  /** Set by the handler for metrics: LIST, WATCH, GET, POST, PUT, PATCH, DELETE, DELETECOLLECTION, APPLY. */
  verb: string;
  warnings: string[];
}

/** The object as served at the requested group-version (Istio kinds are stored once, served at three). */
export function present(call: Call, obj: KubeObject): KubeObject {
  obj.apiVersion = groupVersion(call.route.group, call.route.version);
  obj.kind = call.route.type.kind;
  return obj;
}

export function respond(call: Call, code: number, body: unknown): void {
  const headers: Record<string, string> = {};
  if (call.warnings.length) call.res.setHeader('Warning', warningHeaders(call.warnings));
  sendJson(call.res, code, body, headers);
}

export function wantsTable(call: Call): boolean {
  const accept = call.req.headers.accept ?? '';
  return /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/**
 * TableOptions.includeObject of a Table request. The real server checks it only when it builds
 * a Table, and answers an unknown value with 400.
 */
export function includeObjectPolicy(call: Call): IncludeObjectPolicy {
  const v = call.query.get('includeObject') ?? '';
  if (v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`unrecognized includeObject value: ${JSON.stringify(v)}`);
}

export function isDryRun(call: Call): boolean {
  const values = call.query.getAll('dryRun');
  for (const v of values)
    if (v !== 'All') throw badRequest(`Invalid dryRun value: ${JSON.stringify(v)}: supported values: "All"`);
  return values.length > 0;
}

export function fieldValidation(call: Call): FieldValidation | undefined {
  const v = call.query.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(
    `fieldValidation parameter unsupported: ${JSON.stringify(v)}; use one of Ignore, Warn or Strict`,
  );
}
