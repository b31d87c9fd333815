// HTTPS as real clusters serve it: the server certificate checked against the kubeconfig's CA,
// a client certificate presented for mutual TLS, and an untrusted server refused with a TLS
// remedy. Certificates are made with openssl for 127.0.0.1; an HTTPS proxy fronts the local API server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../src/local/store/index.js';
import { startApiServer, type ApiServer } from '../src/local/apiserver/index.js';
import { createKubeClient, loadKubeConfig } from '../src/kube/index.js';
import { UnreachableError } from '../src/errors.js';
import { makeCertificates } from './helpers/logging-api.js';

let dir: string;
let api: ApiServer;
let proxy: https.Server;
let server: string;
let closeStore: () => Promise<void>;
const pem: Record<string, string> = {};
const clientNames: Array<string | undefined> = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cutover-tls-'));
  const made = makeCertificates(dir, ['cutover-user']);
  const user = made.clients['cutover-user']!;
  Object.assign(pem, {
    'ca.crt': made.ca,
    'server.crt': made.serverCert,
    'server.key': made.serverKey,
    'client.crt': user.cert,
    'client.key': user.key,
  });
  const store = await createStore();
  closeStore = () => store.close();
  api = await startApiServer({ store, port: 0 });
  proxy = https.createServer(
    {
      key: pem['server.key'],
      cert: pem['server.crt'],
      ca: pem['ca.crt'],
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      clientNames.push(
        socket.authorized ? (socket.getPeerCertificate().subject?.CN as string | undefined) : undefined,
      );
      const up = http.request(`${api.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    },
  );
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  server = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
after(async () => {
  proxy?.closeAllConnections();
  await new Promise((r) => proxy?.close(r));
  await api?.close();
  await closeStore?.();
  await rm(dir, { recursive: true, force: true });
});

function clientWith(cluster: Record<string, unknown>, user: Record<string, unknown>) {
  const kubeconfig = JSON.stringify({
    clusters: [{ name: 'c', cluster: { server, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
  return createKubeClient(
    loadKubeConfig({
      kubeconfig: join(dir, 'kubeconfig'),
      env: {},
      readFile: (p) => (p.endsWith('kubeconfig') ? kubeconfig : pem[p.slice(dir.length + 1)]!),
    }),
  );
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('the server certificate is verified against certificate-authority-data; a client certificate is presented', async () => {
  const c = clientWith(
    { 'certificate-authority-data': b64(pem['ca.crt']!) },
    { 'client-certificate-data': b64(pem['client.crt']!), 'client-key-data': b64(pem['client.key']!) },
  );
  try {
    const list = await c.list('v1', 'ConfigMap');
    assert.ok(Array.isArray(list.items));
    assert.equal(clientNames.at(-1), 'cutover-user');
  } finally {
    c.close();
  }
});

test('certificate files relative to the kubeconfig work too', async () => {
  const c = clientWith(
    { 'certificate-authority': 'ca.crt' },
    { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
  );
  try {
    await c.list('v1', 'ConfigMap');
    assert.equal(clientNames.at(-1), 'cutover-user');
  } finally {
    c.close();
  }
});

test('an untrusted server certificate: UnreachableError with a TLS remedy, not retried', async () => {
  const c = clientWith({}, { token: 't' });
  try {
    await assert.rejects(
      c.list('v1', 'ConfigMap'),
      (e: UnreachableError) => e instanceof UnreachableError && /certificate/.test(e.remedy ?? ''),
    );
    assert.equal(c.requestCount, 1);
  } finally {
    c.close();
  }
});

test('insecure-skip-tls-verify accepts any server certificate', async () => {
  const c = clientWith({ 'insecure-skip-tls-verify': true }, { token: 't' });
  try {
    await c.list('v1', 'ConfigMap');
  } finally {
    c.close();
  }
});
