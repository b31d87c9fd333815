// Credentials as the API server receives them: token, token file, basic auth, and an exec
// plugin (through @kubernetes/client-node, loaded lazily). A recording proxy in front of the
// local API server captures the Authorization header of each request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createStore } from '../src/local/store/index.js';
import { startApiServer, type ApiServer } from '../src/local/apiserver/index.js';
import { connect } from '../src/kube/index.js';

let api: ApiServer;
let proxy: http.Server;
let proxyUrl: string;
let dir: string;
let closeStore: () => Promise<void>;
const seen: Array<string | undefined> = [];

before(async () => {
  const store = await createStore();
  closeStore = () => store.close();
  api = await startApiServer({ store, port: 0 });
  proxy = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    const up = http.request(`${api.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'cutover-auth-'));
});
after(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await api.close();
  await closeStore();
  await rm(dir, { recursive: true, force: true });
});

async function authorizationFor(user: Record<string, unknown>): Promise<string | undefined> {
  const file = join(dir, `kubeconfig-${seen.length}`);
  await writeFile(
    file,
    stringify({
      clusters: [{ name: 'c', cluster: { server: proxyUrl, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  const client = connect({ kubeconfig: file, env: {} });
  try {
    await client.list('v1', 'ConfigMap');
  } finally {
    client.close();
  }
  return seen.at(-1);
}

test('a token goes as a Bearer header', async () => {
  assert.equal(await authorizationFor({ token: 'abc' }), 'Bearer abc');
});

test('a token file is read (relative to the kubeconfig)', async () => {
  await writeFile(join(dir, 'token'), 'from-file\n');
  assert.equal(await authorizationFor({ tokenFile: 'token' }), 'Bearer from-file');
});

test('basic auth', async () => {
  assert.equal(
    await authorizationFor({ username: 'me', password: 'pw' }),
    `Basic ${Buffer.from('me:pw').toString('base64')}`,
  );
});

test('an exec plugin provides the token (ExecCredential)', async () => {
  const plugin = join(dir, 'plugin.mjs');
  await writeFile(
    plugin,
    `console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'from-plugin' } }));\n`,
  );
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: process.execPath,
    args: [plugin],
    interactiveMode: 'Never',
  };
  assert.equal(await authorizationFor({ exec }), 'Bearer from-plugin');
});

test('no credentials: no Authorization header', async () => {
  assert.equal(await authorizationFor({}), undefined);
});
