// How the API server hands pods/log and pods/exec to the pod runtime. The API server parses the
// URL, checks that the pod exists (404 Status otherwise) and then delegates; the runtime writes
// the response (log) or completes the WebSocket upgrade (exec).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../store/types.js';

export interface PodSubresourceHandlers {
  /** GET …/pods/{name}/log?container=&follow=&previous=&tailLines=&timestamps=&sinceSeconds= */
  log(req: IncomingMessage, res: ServerResponse, pod: KubeObject, query: URLSearchParams): void;
  /** GET (WebSocket upgrade) …/pods/{name}/exec?command=…&container=&stdin=&stdout=&stderr=&tty= */
  exec(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject, query: URLSearchParams): void;
  /** …/pods/{name}/portforward: SPDY/3.1 (portforward.k8s.io) or a WebSocket carrying SPDY. */
  /** …/pods/{name}/attach: like exec, without a command (WebSocket or SPDY/3.1). */
  attach?(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject, query: URLSearchParams): void;
  portForward?(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject): void;
}
