// What a client sends, seen from the server: a loopback HTTPS (and HTTP) server that records each
// request's URL, Authorization header and client certificate, and an HTTP proxy that records
// what it was asked to reach (CONNECT for https, absolute URLs for http). Certificates are made
// with openssl in a temporary folder: a CA, a server certificate for 127.0.0.1 and kube.test,
// and client certificates. Used to hold cutover's client and the real kubectl to the same file.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Seen {
  method: string;
  path: string;
  authorization?: string;
  /** CN of the client certificate presented, if any. */
  clientCn?: string;
  /** 'https' or 'http': which listener got it. */
  via: 'https' | 'http';
}

export interface ProxySeen {
  /** `CONNECT host:port`, or `GET http://host:port/path`. */
  line: string;
  proxyAuthorization?: string;
}

export interface Pems {
  ca: string;
  serverCert: string;
  serverKey: string;
  /** Client certificate and key per CN. */
  clients: Record<string, { cert: string; key: string }>;
  dir: string;
}

/** A CA, a server certificate (IP 127.0.0.1, DNS kube.test), and client certificates for `cns`. */
export function makeCertificates(dir: string, cns: string[]): Pems {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=judge-ca',
  );
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:kube.test\nextendedKeyUsage=serverAuth\n',
  );
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const sign = (name: string, cn: string, ext: string) => {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      ext,
    );
  };
  sign('server', '127.0.0.1', 'server.ext');
  const clients: Pems['clients'] = {};
  for (const cn of cns) {
    sign(`client-${cn}`, cn, 'client.ext');
    clients[cn] = {
      cert: readFileSync(join(dir, `client-${cn}.crt`), 'utf8'),
      key: readFileSync(join(dir, `client-${cn}.key`), 'utf8'),
    };
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), clients, dir };
}

export interface LoggingApi {
  httpsUrl: string;
  httpUrl: string;
  httpsPort: number;
  seen: Seen[];
  /** Tokens answered with 401 (an expired credential). */
  rejectTokens: Set<string>;
  close(): Promise<void>;
}

/** Answers every GET with a ConfigMap named after the last path segment (or 401 for a rejected token). */
export async function startLoggingApi(pems: Pems): Promise<LoggingApi> {
  const seen: Seen[] = [];
  const rejectTokens = new Set<string>();
  const handler = (via: 'https' | 'http') => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket as TLSSocket;
    const peer = via === 'https' && socket.authorized ? socket.getPeerCertificate() : undefined;
    const auth = req.headers.authorization;
    seen.push({
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0]!,
      authorization: auth,
      clientCn: peer?.subject?.CN as string | undefined,
      via,
    });
    req.resume();
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (token && rejectTokens.has(token)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          code: 401,
          reason: 'Unauthorized',
          message: 'Unauthorized',
        }),
      );
    }
    const name = (req.url ?? '').split('?')[0]!.split('/').pop();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'default', resourceVersion: '1' },
      }),
    );
  };
  const secure = https.createServer(
    { key: pems.serverKey, cert: pems.serverCert, ca: pems.ca, requestCert: true, rejectUnauthorized: false },
    handler('https'),
  );
  const plain = http.createServer(handler('http'));
  await Promise.all([secure, plain].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  const httpsPort = (secure.address() as AddressInfo).port;
  return {
    httpsUrl: `https://127.0.0.1:${httpsPort}`,
    httpUrl: `http://127.0.0.1:${(plain.address() as AddressInfo).port}`,
    httpsPort,
    seen,
    rejectTokens,
    close: async () => {
      for (const s of [secure, plain]) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    },
  };
}

export interface RecordingProxy {
  url: string;
  seen: ProxySeen[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy on loopback. CONNECT tunnels to the host asked for, except that the name
 * kube.test is reached at 127.0.0.1 (there is no DNS for it: only the proxy knows it).
 */
export async function startRecordingProxy(): Promise<RecordingProxy> {
  const seen: ProxySeen[] = [];
  const hostOf = (h: string) => (h === 'kube.test' ? '127.0.0.1' : h);
  const server = http.createServer((req, res) => {
    seen.push({ line: `${req.method} ${req.url}`, proxyAuthorization: req.headers['proxy-authorization'] });
    const target = new URL(req.url ?? '');
    const up = http.request(
      {
        host: hostOf(target.hostname),
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push({ line: `CONNECT ${req.url}`, proxyAuthorization: req.headers['proxy-authorization'] });
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), hostOf(host!), () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    const end = () => (up.destroy(), socket.destroy());
    up.on('error', end);
    socket.on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
