// Dispatch of one HTTP request: health and metrics endpoints, /version, discovery, OpenAPI, and
// the resource API. Every handler runs inside one try/catch, so bad input of any kind becomes a
// Status response and never an uncaught exception.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathNotFound } from '../store/api-error.js';
import { apiGroupDocument, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js';
import type { Call, ServerContext } from './call.js';
import { handleDelete, handleDeleteCollection } from './handlers-delete.js';
import { handlePatch } from './handlers-patch.js';
import { handleGet, handleList } from './handlers-read.js';
import { handleCreate, handleUpdate } from './handlers-write.js';
import { methodNotSupported, sendError, sendJson, sendText, toApiError } from './http-io.js';
import { openApiDocument, openApiIndex } from './openapi.js';
import {
  OPENAPI_V2_PROTOBUF,
  OPENAPI_V2_PROTOBUF_RESPONSE,
  openApiV2Json,
  openApiV2Protobuf,
} from './openapi-v2.js';
import { parseApiPath, pathSegments, type ResourceRoute } from './paths.js';
import { handleExecWithoutUpgrade, handleLog } from './pod-routes.js';
import { handleGetScale, handlePatchScale, handleUpdateScale } from './scale.js';
import { handleWatch } from './watch.js';
import { queryBool } from '../query-params.js';
import { handleReview, reviewAt } from './reviews.js';

type Handler = (call: Call) => void | Promise<void>;

export async function handleRequest(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  serverAddress: string,
): Promise<void> {
  const labels = { verb: req.method ?? 'GET', resource: '', subresource: '' };
  // The handler names the verb (LIST, WATCH, APPLY…) while it runs; a response can finish before
  // the handler returns, so the verb is read from the call when the response is done.
  let current: Call | undefined;
  res.on('finish', () =>
    ctx.metrics.record(
      current?.verb ?? labels.verb,
      labels.resource || 'nonresource',
      labels.subresource,
      res.statusCode,
    ),
  );
  try {
    const url = splitUrl(req.url);
    if (serveNonResource(ctx, req, url, res, serverAddress)) {
      labels.resource = 'nonresource';
      drain(req);
      return;
    }
    const review = reviewAt(url.pathname.replace(/\/+$/, ''));
    if (review) {
      labels.resource = review.resource;
      labels.verb = 'POST';
      await handleReview(review, req, res);
      return;
    }
    const parsed = parseApiPath(pathSegments(url.pathname));
    if (parsed.kind === 'groupVersion') {
      const doc = apiResourceList(parsed.group, parsed.version);
      if (!doc) throw pathNotFound();
      sendJson(res, 200, doc);
      return;
    }
    if (parsed.kind !== 'resource') throw pathNotFound();
    const call: Call = {
      ctx,
      req,
      res,
      route: parsed.route,
      query: url.searchParams,
      verb: req.method ?? 'GET',
      warnings: [],
    };
    current = call;
    labels.resource = parsed.route.type.resource;
    labels.subresource = parsed.route.subresource ?? '';
    try {
      await selectHandler(call)(call);
    } finally {
      labels.verb = call.verb;
    }
  } catch (err) {
    drain(req);
    sendError(res, toApiError(err));
  }
}

export interface RequestUrl {
  pathname: string;
  searchParams: URLSearchParams;
}

// The path exactly as sent: WHATWG URL parsing would resolve `%2e%2e` segments and turn
// `…/configmaps/%2e%2e` into a request for the namespace itself.
export function splitUrl(raw: string | undefined): RequestUrl {
  const url = raw ?? '/';
  const q = url.indexOf('?');
  return {
    pathname: q >= 0 ? url.slice(0, q) : url,
    searchParams: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
  };
}

// Unread request bodies would stall a keep-alive connection; discard them.
function drain(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume();
}

function serveNonResource(
  ctx: ServerContext,
  req: IncomingMessage,
  url: RequestUrl,
  res: ServerResponse,
  serverAddress: string,
): boolean {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/healthz' || path === '/readyz' || path === '/livez') {
    sendText(res, 200, 'ok');
    return true;
  }
  if (path === '/metrics') {
    sendText(res, 200, ctx.metrics.prometheus(), 'text/plain; version=0.0.4; charset=utf-8');
    return true;
  }
  if (path === '/version') return send(res, SERVER_VERSION);
  if (path === '/api') return send(res, apiVersions(serverAddress));
  if (path === '/apis') return send(res, apiGroupList());
  if (path === '/openapi/v3') return send(res, openApiIndex());
  if (path === '/openapi/v2') return sendOpenApiV2(req, res);
  const group = /^\/apis\/([^/]+)$/.exec(path);
  if (group) return send(res, apiGroupDocument(group[1]!));
  const openapi = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (openapi)
    return send(
      res,
      openapi[1] ? openApiDocument('', openapi[1]) : openApiDocument(openapi[2]!, openapi[3]!),
    );
  return false;
}

// kubectl asks for protobuf; anything else gets the same document as JSON.
function sendOpenApiV2(req: IncomingMessage, res: ServerResponse): true {
  if ((req.headers.accept ?? '').includes(OPENAPI_V2_PROTOBUF)) {
    const body = openApiV2Protobuf();
    res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF_RESPONSE, 'Content-Length': body.length });
    res.end(body);
    return true;
  }
  return send(res, openApiV2Json());
}

function send(res: ServerResponse, doc: object | undefined): true {
  if (doc) sendJson(res, 200, doc);
  else sendError(res, pathNotFound());
  return true;
}

function selectHandler(call: Call): Handler {
  const { route } = call;
  const method = call.req.method ?? 'GET';
  if (route.subresource) return subresourceHandler(route, method);
  if (route.name === undefined) return collectionHandler(call, route, method);
  const watchOne = method === 'GET' && isWatch(call);
  if (watchOne) return watchSingle;
  const handlers: Record<string, Handler> = {
    GET: handleGet,
    PUT: handleUpdate,
    PATCH: handlePatch,
    DELETE: handleDelete,
  };
  return handlers[method] ?? notAllowed;
}

function collectionHandler(call: Call, route: ResourceRoute, method: string): Handler {
  if (method === 'GET') return isWatch(call) ? handleWatch : handleList;
  // Creating or deleting needs a namespace for namespaced kinds; /apis/g/v/pods is list/watch only.
  if (route.type.namespaced && route.namespace === undefined) return notAllowed;
  if (method === 'POST') return handleCreate;
  if (method === 'DELETE') return handleDeleteCollection;
  return notAllowed;
}

function subresourceHandler(route: ResourceRoute, method: string): Handler {
  switch (route.subresource) {
    case 'status':
      return (
        ({ GET: handleGet, PUT: handleUpdate, PATCH: handlePatch } as Record<string, Handler>)[method] ??
        notAllowed
      );
    case 'scale':
      return (
        ({ GET: handleGetScale, PUT: handleUpdateScale, PATCH: handlePatchScale } as Record<string, Handler>)[
          method
        ] ?? notAllowed
      );
    case 'log':
      return method === 'GET' ? handleLog : notAllowed;
    case 'exec':
    case 'attach':
    case 'portforward':
      return handleExecWithoutUpgrade;
    default:
      return notAllowed;
  }
}

function isWatch(call: Call): boolean {
  return queryBool(call.query, 'watch');
}

// GET …/{name}?watch=true is a watch on that one object (fieldSelector metadata.name).
function watchSingle(call: Call): void {
  call.verb = 'WATCH';
  const name = call.route.name!;
  const field = call.query.get('fieldSelector');
  call.query.set('fieldSelector', field ? `${field},metadata.name=${name}` : `metadata.name=${name}`);
  handleWatch({ ...call, route: { ...call.route, name: undefined } });
}

function notAllowed(): void {
  throw methodNotSupported();
}
