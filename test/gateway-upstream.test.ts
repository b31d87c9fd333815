// How the gateway talks to pods: response framing (Content-Length, chunked across packets, until
// close, HEAD, 204, 304, 1xx), big bodies, request bodies, pooled connections closed by the pod.
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  put,
  podIp,
  putService,
  seedGateway,
  send,
  startHarness,
  startPod,
  visible,
  type Harness,
  type Pod,
} from './gateway-fixtures.js';

/** A pod speaking raw HTTP/1.1, so the test decides every byte of the response and its timing. */
async function rawPod(
  h: Harness,
  name: string,
  respond: (path: string, socket: Socket) => void,
): Promise<{ server: TcpServer; close(): Promise<void> }> {
  const ip = podIp();
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) !== -1) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        respond(head.split(' ')[1]!, socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, ip, r));
  const port = (server.address() as AddressInfo).port;
  put(h.store, 'pods', 'default', name, { status: { podIP: ip } }, { labels: { app: name } });
  putService(h.store, 'default', name, { app: name });
  const eps = put(h.store, 'endpoints', 'default', name, {
    subsets: [
      {
        addresses: [{ ip, targetRef: { kind: 'Pod', name, namespace: 'default' } }],
        ports: [{ name: 'http', port, protocol: 'TCP' }],
      },
    ],
  });
  await visible(h, eps);
  return {
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('gateway ↔ pod HTTP', () => {
  let h: Harness;
  const closers: Array<() => Promise<void>> = [];
  before(async () => {
    h = await startHarness(0);
    put(h.store, 'gateways', 'default', 'gw', seedGateway);
  });
  after(async () => {
    for (const c of closers) await c();
    await h.close();
  });
  const routeTo = async (host: string) =>
    visible(
      h,
      put(h.store, 'virtualservices', 'default', 'vs', {
        spec: { hosts: ['*'], gateways: ['gw'], http: [{ route: [{ destination: { host } }] }] },
      }),
    );

  it('relays chunked, length-delimited, close-delimited and bodiless responses', async () => {
    const pod = await rawPod(h, 'framing', (path, s) => {
      if (path === '/chunked') {
        // Split across packets in awkward places, with a chunk extension and a trailer.
        s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n5\r\nhel');
        setTimeout(() => s.write('lo\r\n6;ext=1\r\n world\r'), 5);
        setTimeout(() => s.write('\n0\r\nX-Trailer: t\r\n\r\n'), 10);
      } else if (path === '/length') s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde');
      else if (path === '/close') {
        s.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil ');
        setTimeout(() => s.end('the end'), 5);
      } else if (path === '/continue')
        s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
      else if (path === '/nocontent') s.write('HTTP/1.1 204 No Content\r\n\r\n');
      else s.write('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n');
    });
    closers.push(pod.close);
    await routeTo('framing');
    const chunked = await send(h.gateway.url, '/chunked');
    assert.equal(chunked.body, 'hello world');
    assert.equal(chunked.headers['x-kind'], 'chunked');
    assert.equal((await send(h.gateway.url, '/length')).body, 'abcde');
    assert.equal((await send(h.gateway.url, '/close')).body, 'until the end');
    const cont = await send(h.gateway.url, '/continue');
    assert.equal(cont.status, 201);
    assert.equal(cont.body, 'ok');
    assert.equal((await send(h.gateway.url, '/nocontent')).status, 204);
    const notModified = await send(h.gateway.url, '/etag');
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.etag, '"x"');
    // The pooled connection is still good after all of that.
    assert.equal((await send(h.gateway.url, '/length')).body, 'abcde');
  });

  it('streams a large body, answers HEAD without one, and forwards request bodies', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    const pod: Pod = await startPod(h.store, 'default', 'big-1', { app: 'big' }, (req, res) => {
      if (req.url !== '/big') return false;
      res.writeHead(200, { 'content-length': big.length });
      res.end(req.method === 'HEAD' ? undefined : big);
      return true;
    });
    closers.push(pod.close);
    putService(h.store, 'default', 'big', { app: 'big' });
    const { putEndpoints } = await import('./gateway-fixtures.js');
    await visible(h, putEndpoints(h.store, 'default', 'big', [pod]));
    await routeTo('big');
    const r = await send(h.gateway.url, '/big');
    assert.equal(r.body.length, big.length);
    const head = await send(h.gateway.url, '/big', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(big.length));
    assert.equal(head.body, '');
    const post = await send(h.gateway.url, '/echo', {
      method: 'POST',
      body: 'payload',
      headers: ['content-type', 'text/plain'],
    });
    assert.equal(post.json().body, 'payload');
    assert.equal(post.json().method, 'POST');
  });

  it('retries on another connection when the pod closed a pooled one', async () => {
    let served = 0;
    const pod = await rawPod(h, 'closer', (_path, s) => {
      served++;
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      // Close right after answering without saying so: the next request on this connection races the close.
      setTimeout(() => s.destroy(), 1);
    });
    closers.push(pod.close);
    await routeTo('closer');
    for (let i = 0; i < 20; i++) {
      const r = await send(h.gateway.url, '/');
      assert.equal(r.status, 200, r.body);
      await new Promise((res) => setTimeout(res, 3));
    }
    assert.ok(served >= 20);
  });
});
