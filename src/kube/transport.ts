// The default HTTP transport: node:http / node:https with one keep-alive agent per client, so a
// release's requests share a handful of connections (no TLS handshake per call). Node's global
// fetch cannot take a custom CA or client certificate without undici, hence node:https.
import http from 'node:http';
import https from 'node:https';
import type { KubeFetch, KubeRequest, KubeResponse } from './types.js';

export interface TlsSettings {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  insecureSkipTlsVerify: boolean;
  servername?: string;
}

export interface Transport {
  fetch: KubeFetch;
  /** TLS settings, reused by the exec WebSocket. */
  tls: TlsSettings;
  close(): void;
}

export function createTransport(tls: TlsSettings): Transport {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: tls.caPem,
    cert: tls.certPem,
    key: tls.keyPem,
    rejectUnauthorized: !tls.insecureSkipTlsVerify,
    servername: tls.servername,
  });
  const fetch: KubeFetch = (req) => send(req, req.url.startsWith('https:') ? httpsAgent : httpAgent);
  return {
    fetch,
    tls,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function send(req: KubeRequest, agent: http.Agent): Promise<KubeResponse> {
  const mod = req.url.startsWith('https:') ? https : http;
  return new Promise((resolvePromise, reject) => {
    const r = mod.request(
      req.url,
      { method: req.method, headers: req.headers, agent, signal: req.signal },
      (res) => {
        clearTimeout(timer);
        resolvePromise(wrap(res));
      },
    );
    const timer = req.timeoutMs
      ? setTimeout(
          () =>
            r.destroy(
              Object.assign(new Error(`no response within ${req.timeoutMs} ms`), { code: 'ETIMEDOUT' }),
            ),
          req.timeoutMs,
        )
      : undefined;
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

function wrap(res: http.IncomingMessage): KubeResponse {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return {
    status: res.statusCode ?? 0,
    headers,
    async text() {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    body: res as AsyncIterable<Uint8Array>,
  };
}
