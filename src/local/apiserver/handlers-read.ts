// GET of one object and LIST of a collection (namespaced or across namespaces), as JSON or as a
// Table when kubectl asks for one. Lists page with limit/continue (list-pages.ts).
import type { KubeObject } from '../store/types.js';
import { badRequest, invalid, notFound } from '../store/api-error.js';
import type { ListPage } from './list-pages.js';
import { includeObjectPolicy, present, respond, wantsTable, type Call } from './call.js';
import { groupVersion } from './paths.js';
import { selectorFromQuery } from './selectors.js';

export function getObject(call: Call): KubeObject {
  const { route } = call;
  const obj = call.ctx.store.get(route.type, route.namespace, route.name!);
  if (!obj) throw notFound(route.type, route.name!);
  return present(call, obj);
}

export function handleGet(call: Call): void {
  call.verb = 'GET';
  const obj = getObject(call);
  if (wantsTable(call)) {
    respond(
      call,
      200,
      call.ctx.modules.toTable(call.route.type, [obj], {
        resourceVersion: obj.metadata.resourceVersion ?? '',
        includeObject: includeObjectPolicy(call),
      }),
    );
    return;
  }
  respond(call, 200, obj);
}

/** The objects a list or deletecollection addresses, selectors applied. */
export function selectObjects(call: Call): { items: KubeObject[]; resourceVersion: number } {
  const { route } = call;
  const match = selectorFromQuery(call.query, route.type);
  const { items, resourceVersion } = call.ctx.store.list(route.type, route.namespace);
  const selected = match ? items.filter(match) : items;
  return { items: selected.map((o) => present(call, o)), resourceVersion };
}

export function handleList(call: Call): void {
  call.verb = 'LIST';
  checkListOptions(call);
  const page = listPage(call);
  const { items } = page;
  const rv = String(page.resourceVersion);
  if (wantsTable(call)) {
    const table = call.ctx.modules.toTable(call.route.type, items, {
      resourceVersion: rv,
      includeObject: includeObjectPolicy(call),
    });
    respond(call, 200, { ...table, metadata: listMeta(rv, page) });
    return;
  }
  respond(call, 200, {
    kind: call.route.type.listKind,
    apiVersion: groupVersion(call.route.group, call.route.version),
    metadata: listMeta(rv, page),
    items,
  });
}

function checkListOptions(call: Call): void {
  const limit = call.query.get('limit');
  if (limit !== null && limit !== '' && !/^\d+$/.test(limit))
    throw badRequest(`limit: Invalid value: ${JSON.stringify(limit)}: must be a non-negative integer`);
  const rv = call.query.get('resourceVersion');
  if (rv !== null && rv !== '' && !/^\d+$/.test(rv))
    throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: must be a non-negative integer`);
  if (call.query.get('continue') && call.query.get('resourceVersionMatch'))
    throw invalid({ group: 'meta.k8s.io', resource: 'ListOptions', kind: 'ListOptions' }, '', [
      {
        reason: 'FieldValueForbidden',
        message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided',
        field: 'resourceVersionMatch',
      },
    ]);
  if (call.query.get('continue') && rv && rv !== '0')
    throw badRequest('specifying resource version is not allowed when using continue');
}

// resourceVersion=0 without a continue token is served from the watch cache, which returns
// everything at once; other lists page through the store as they would through etcd.
function listPage(call: Call): ListPage {
  const all = selectObjects(call);
  const q = call.query;
  const token = q.get('continue') ?? '';
  const limit = Number(q.get('limit') || 0);
  if (!token && (limit <= 0 || q.get('resourceVersion') === '0')) return all;
  const { route } = call;
  const filtered = Boolean(q.get('labelSelector') || q.get('fieldSelector'));
  const scope = [
    groupVersion(route.group, route.version),
    route.type.resource,
    route.namespace ?? '',
    q.get('labelSelector') ?? '',
    q.get('fieldSelector') ?? '',
  ].join('|');
  return call.ctx.listSnapshots.page({ limit, continueToken: token, scope, filtered }, all);
}

function listMeta(rv: string, page: ListPage): Record<string, unknown> {
  const meta: Record<string, unknown> = { resourceVersion: rv };
  if (page.continue) meta.continue = page.continue;
  if (page.remainingItemCount !== undefined) meta.remainingItemCount = page.remainingItemCount;
  return meta;
}
