// A reverse proxy between the CLI and the local API server that records every request it
// forwards (method and path), so a test can prove what a run did — e.g. that a refused run sent
// no POST/PUT/PATCH/DELETE at all. It writes a kubeconfig that points at itself.
import { createServer, request, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { parse, stringify } from 'yaml';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Which of the client's connections it came on, numbered from 1 as they open. */
  connection: number;
}

export interface RecordingProxy {
  url: string;
  kubeconfigPath: string;
  requests: RecordedRequest[];
  /** The requests that change something (anything but GET, HEAD, OPTIONS). */
  writes(): RecordedRequest[];
  clear(): void;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Requests whose path matches get response headers and then nothing, forever: a hung stream. */
  hang?: RegExp;
  /** Requests whose path matches get 403 Forbidden, as RBAC answers (read per request: settable). */
  forbid?: RegExp;
}

export async function startRecordingProxy(
  kubeconfigPath: string,
  outPath: string,
  options: ProxyOptions = {},
): Promise<RecordingProxy> {
  const kubeconfig = parse(await readFile(kubeconfigPath, 'utf8')) as {
    clusters: Array<{ cluster: { server: string } }>;
  };
  const target = new URL(kubeconfig.clusters[0]!.cluster.server);
  const requests: RecordedRequest[] = [];
  const connections = new WeakMap<object, number>();
  let opened = 0;
  const server: Server = createServer((req, res) => {
    if (!connections.has(req.socket)) connections.set(req.socket, ++opened);
    requests.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      connection: connections.get(req.socket)!,
    });
    if (options.forbid?.test(req.url ?? '')) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Forbidden',
          code: 403,
          message: `forbidden: User "ci" cannot list resource at ${req.url ?? ''} at the cluster scope`,
        }),
      );
      return;
    }
    if (options.hang?.test(req.url ?? '')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return;
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.flushHeaders();
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const c of kubeconfig.clusters) c.cluster.server = url;
  await writeFile(outPath, stringify(kubeconfig));
  return {
    url,
    kubeconfigPath: outPath,
    requests,
    writes: () => requests.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method)),
    clear: () => void requests.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
