// pods/log and pods/exec: the server checks the pod and the container (the same 400/404 Status
// bodies as a real cluster) and hands the connection to the pod runtime.
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest, notFound, serviceUnavailable } from '../store/api-error.js';
import type { KubeObject } from '../store/types.js';
import type { Call, ServerContext } from './call.js';
import type { ResourceRoute } from './paths.js';
import { toApiError } from './http-io.js';

function containerNames(pod: KubeObject, key: 'containers' | 'initContainers'): string[] {
  const list = (pod.spec as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(list) ? list.map((c) => String((c as { name?: unknown }).name ?? '')) : [];
}

/** Picks the container a log or exec request means, as the kubelet does; 400 when it cannot. */
export function checkContainer(pod: KubeObject, query: URLSearchParams): string {
  const name = pod.metadata.name;
  const containers = containerNames(pod, 'containers');
  const init = containerNames(pod, 'initContainers');
  const requested = query.get('container');
  if (requested) {
    if (!containers.includes(requested) && !init.includes(requested))
      throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const byAnnotation = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (byAnnotation && containers.includes(byAnnotation)) return byAnnotation;
  if (containers.length === 1) return containers[0]!;
  const initPart = init.length ? ` or one of the init containers: [${init.join(' ')}]` : '';
  throw badRequest(
    `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`,
  );
}

function podOf(ctx: ServerContext, route: ResourceRoute): KubeObject {
  const pod = ctx.store.get(route.type, route.namespace, route.name!);
  if (!pod) throw notFound(route.type, route.name!);
  pod.apiVersion = 'v1';
  pod.kind = 'Pod';
  return pod;
}

export function handleLog(call: Call): void {
  call.verb = 'GET';
  const pod = podOf(call.ctx, call.route);
  checkContainer(pod, call.query);
  if (!call.ctx.pods)
    throw serviceUnavailable('pod logs are not available: the local cluster runs no pod runtime');
  call.ctx.pods.log(call.req, call.res, pod, call.query);
}

/** A plain (non-upgrade) request to pods/exec. */
export function handleExecWithoutUpgrade(call: Call): void {
  call.verb = call.req.method === 'POST' ? 'CREATE' : 'GET';
  podOf(call.ctx, call.route);
  throw badRequest('Upgrade request required');
}

/** The upgrade of pods/exec: WebSocket (kubectl ≥ 1.30, client libraries) or SPDY/3.1 (older kubectl). */
export function handleExecUpgrade(
  ctx: ServerContext,
  route: ResourceRoute,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  query: URLSearchParams,
): number {
  try {
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    const pod = podOf(ctx, route);
    if (upgrade !== 'spdy/3.1' && !(upgrade === 'websocket' && req.method === 'GET'))
      throw badRequest('Upgrade request required');
    checkContainer(pod, query);
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Succeeded' || phase === 'Failed')
      throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    if (!ctx.pods) throw serviceUnavailable('exec is not available: the local cluster runs no pod runtime');
    if (route.subresource === 'attach') {
      if (!ctx.pods.attach)
        throw serviceUnavailable('attach is not available: the local cluster runs no pod runtime');
      ctx.pods.attach(req, socket, head, pod, query);
    } else ctx.pods.exec(req, socket, head, pod, query);
    return 101;
  } catch (err) {
    const apiError = toApiError(err);
    writeSocketStatus(socket, apiError);
    return apiError.code;
  }
}

export function writeSocketStatus(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.status);
  const head = [
    `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? ''}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** The upgrade of pods/portforward (SPDY/3.1, or a WebSocket tunnelling SPDY). */
export function handlePortForwardUpgrade(
  ctx: ServerContext,
  route: ResourceRoute,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): number {
  try {
    const pod = podOf(ctx, route);
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade !== 'spdy/3.1' && upgrade !== 'websocket') throw badRequest('Upgrade request required');
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase !== 'Running')
      throw badRequest(
        `unable to forward port because pod is not running. Current status=${phase ?? 'Unknown'}`,
      );
    const portForward = ctx.pods?.portForward;
    if (!portForward)
      throw serviceUnavailable('port-forward is not available: the local cluster runs no pod runtime');
    portForward(req, socket, head, pod);
    return 101;
  } catch (err) {
    const apiError = toApiError(err);
    writeSocketStatus(socket, apiError);
    return apiError.code;
  }
}
