// Which proxy a request to the API server goes through, and agents that tunnel through it — as
// kubectl (Go's net/http) does:
// - the cluster's proxy-url wins, for any host, loopback included;
// - else HTTPS_PROXY/https_proxy for an https server, HTTP_PROXY/http_proxy for an http one (the
//   upper-case name first), unless NO_PROXY/no_proxy matches the host: "*", a host name (itself
//   and its subdomains), ".suffix" (subdomains only), an IP or a CIDR, each optionally with
//   ":port"; the environment never applies to localhost or a loopback IP;
// - an https server (and every WebSocket, exec) is reached through a CONNECT tunnel; a plain
//   http request goes to the proxy in absolute form; user:password in the proxy URL becomes
//   Proxy-Authorization: Basic.
import http from 'node:http';
import type https from 'node:https';
import net from 'node:net';
import type tls from 'node:tls';
import { httpsModule, tlsModule } from './tls-modules.js';
import type { Duplex } from 'node:stream';

export function proxyFor(
  server: string,
  proxyUrl: string | undefined,
  env: Record<string, string | undefined>,
): URL | undefined {
  if (proxyUrl) return parseProxy(proxyUrl);
  const target = new URL(server);
  const secure = target.protocol === 'https:' || target.protocol === 'wss:';
  const raw = secure ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!raw) return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || isLoopback(host)) return undefined;
  const port = target.port || (secure ? '443' : '80');
  if (noProxyMatches(env.NO_PROXY ?? env.no_proxy ?? '', host, port)) return undefined;
  return parseProxy(raw);
}

function parseProxy(raw: string): URL {
  // Go accepts "proxy:3128" and means http://proxy:3128.
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
}

function isLoopback(host: string): boolean {
  if (net.isIPv4(host)) return host.startsWith('127.');
  return net.isIPv6(host) && (host === '::1' || host === '0:0:0:0:0:0:0:1');
}

export function noProxyMatches(noProxy: string, host: string, port: string): boolean {
  const h = host.toLowerCase();
  for (let entry of noProxy.split(',').map((e) => e.trim().toLowerCase())) {
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const m = /^(.*?):(\d+)$/.exec(entry);
    if (m && !net.isIPv6(entry)) [, entry, entryPort] = m as unknown as [string, string, string];
    if (entryPort && entryPort !== port) continue;
    entry = entry.replace(/^\[|\]$/g, '');
    if (entry.includes('/')) {
      if (net.isIP(h) && inCidr(h, entry)) return true;
      continue;
    }
    if (net.isIP(entry)) {
      if (entry === h) return true;
      continue;
    }
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      if (h.endsWith(entry)) return true;
    } else if (h === entry || h.endsWith(`.${entry}`)) return true;
  }
  return false;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const list = new net.BlockList();
  const type = net.isIPv6(base!) ? 'ipv6' : 'ipv4';
  try {
    list.addSubnet(base!, bits, type);
    return list.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
}

/** Headers a request to the proxy itself carries. */
export function proxyHeaders(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return { 'proxy-authorization': `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

/** Opens a CONNECT tunnel to host:port through the proxy; resolves with the raw socket. */
export function openTunnel(proxy: URL, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const mod = proxy.protocol === 'https:' ? httpsModule() : http;
    const req = mod.request({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...proxyHeaders(proxy) },
      agent: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(
        Object.assign(
          new Error(
            `the proxy ${proxy.origin} refused CONNECT ${target}: ${res.statusCode} ${res.statusMessage ?? ''}`,
          ),
          {
            code: 'EPROXY',
          },
        ),
      );
    });
    req.once('error', (err) =>
      reject(Object.assign(err, { message: `proxy ${proxy.origin}: ${err.message}` })),
    );
    req.end();
  });
}

type ConnectOptions = tls.ConnectionOptions & net.TcpNetConnectOpts;
type Callback = (err: Error | null, socket?: Duplex) => void;

/** An https.Agent whose connections are CONNECT tunnels through `proxy`, with TLS inside. */
export function tunnelingHttpsAgent(proxy: URL, options: https.AgentOptions): https.Agent {
  const agent = new (httpsModule().Agent)(options);
  // What a subclass's createConnection override would do; node:https loads only when used.
  (
    agent as unknown as { createConnection: (o: ConnectOptions, cb: Callback) => undefined }
  ).createConnection = (connect, callback) => {
    openTunnel(proxy, String(connect.host), Number(connect.port)).then(
      (socket) => callback(null, tlsModule().connect({ ...connect, socket })),
      (err: Error) => callback(err),
    );
    return undefined;
  };
  return agent;
}

/** An http.Agent whose connections are CONNECT tunnels (for a plain-http WebSocket). */
export class TunnelingHttpAgent extends http.Agent {
  constructor(
    private readonly proxy: URL,
    options: http.AgentOptions,
  ) {
    super(options);
  }
  override createConnection(options: ConnectOptions, callback: Callback): undefined {
    openTunnel(this.proxy, String(options.host), Number(options.port)).then(
      (socket) => callback(null, socket),
      (err: Error) => callback(err),
    );
    return undefined;
  }
}
