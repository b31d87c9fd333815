// GET of one object and LIST of a collection (namespaced or across namespaces), as JSON or as a
// Table when kubectl asks for one. Lists return everything at once with an empty `continue`.
import type { KubeObject } from '../store/types.js';
import { badRequest, notFound } from '../store/api-error.js';
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
  const { items, resourceVersion } = selectObjects(call);
  const rv = String(resourceVersion);
  if (wantsTable(call)) {
    const table = call.ctx.modules.toTable(call.route.type, items, {
      resourceVersion: rv,
      includeObject: includeObjectPolicy(call),
    });
    respond(call, 200, table);
    return;
  }
  respond(call, 200, {
    kind: call.route.type.listKind,
    apiVersion: groupVersion(call.route.group, call.route.version),
    metadata: { resourceVersion: rv },
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
  // Everything is returned at once, so a continue token can only come from another server.
  const token = call.query.get('continue');
  if (token) throw badRequest(`continue key is not valid: the token was not issued by this server`);
}
