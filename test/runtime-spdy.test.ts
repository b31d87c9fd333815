// exec over SPDY/3.1 (kubectl 1.27–1.29, and newer ones with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)
// and port-forward over SPDY (every kubectl) and over a WebSocket tunnelling SPDY (kubectl ≥ 1.31),
// driven by the real kubectl binaries against one local node.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findResource } from '../src/local/resources.js';
import { kubectlBinary } from './helpers/kubectl.js';
import { podObject, startNode, waitFor, type TestNode } from './runtime-harness.js';

const PODS = findResource('', 'pods')!;
const SERVICES = findResource('', 'services')!;

let node: TestNode;
let home: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubectl(
  version: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlBinary(version), ['--kubeconfig', node.kubeconfigPath!, ...args], {
      env: { PATH: process.env.PATH, HOME: home, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

function ready(name: string): boolean {
  const s = node.store.get(PODS, 'default', name)?.status as
    { conditions?: Array<{ type: string; status: string }> } | undefined;
  return s?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

before(async () => {
  node = await startNode({ api: true, backoffBaseMs: 300 });
  home = await mkdtemp(join(tmpdir(), 'cutover-spdy-'));
  node.store.create(PODS, podObject('web'));
  node.store.create(SERVICES, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
  });
  await waitFor('web ready', () => ready('web'));
});
after(async () => {
  await node.close();
  await rm(home, { recursive: true, force: true });
});

describe('exec over SPDY/3.1', () => {
  for (const version of ['1.27', '1.28', '1.29']) {
    it(`kubectl ${version} exec: output, stderr, stdin and the exit code`, async () => {
      const out = await kubectl(version, ['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2']);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout, 'out\n');
      assert.equal(out.stderr, 'err\n');
      const input = await kubectl(version, ['exec', '-i', 'web', '--', 'sh', '-c', 'tr a-z A-Z'], {
        input: 'hello spdy\n',
      });
      assert.equal(input.stdout, 'HELLO SPDY\n');
      const failed = await kubectl(version, ['exec', 'web', '--', 'sh', '-c', 'exit 3']);
      assert.equal(failed.code, 3);
      assert.match(failed.stderr, /command terminated with exit code 3/);
    });
  }

  it('kubectl 1.28 exec carries megabytes both ways (SPDY has no flow control to wait on)', async () => {
    const input = 'x'.repeat(3 * 1024 * 1024);
    const r = await kubectl(
      '1.28',
      ['exec', '-i', 'web', '--', 'sh', '-c', 'wc -c; head -c 2000000 /dev/zero | tr "\\0" y'],
      {
        input,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.slice(0, r.stdout.indexOf('\n')).trim(), String(input.length));
    assert.equal(r.stdout.length - r.stdout.indexOf('\n') - 1, 2_000_000);
  });

  it('kubectl 1.33 with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false speaks SPDY too', async () => {
    const r = await kubectl('1.33', ['exec', '-i', 'web', '--', 'sh', '-c', 'cat; echo "$HOSTNAME"'], {
      input: 'piped\n',
      env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'piped\nweb\n');
  });
});

describe('boolean query parameters on pod subresources (raw HTTP)', () => {
  it('timestamps=True and follow=t on logs, as the parameter codec reads them', async () => {
    const base = `${node.api!.url}/api/v1/namespaces/default/pods/web/log`;
    const stamped = await (await fetch(`${base}?timestamps=True`)).text();
    assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z /);
    const plain = await (await fetch(`${base}?timestamps=FALSE`)).text();
    assert.doesNotMatch(plain, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z \d{4}/);
    // follow=t keeps the stream open: the first bytes arrive, the response does not end.
    const controller = new AbortController();
    const res = await fetch(`${base}?follow=t`, { signal: controller.signal });
    const reader = res.body!.getReader();
    assert.ok((await reader.read()).value);
    const next = await Promise.race([
      reader.read().then(() => 'more'),
      new Promise((r) => setTimeout(() => r('still open'), 300)),
    ]);
    assert.equal(next, 'still open');
    controller.abort();
  });
});

describe('attach', () => {
  for (const version of ['1.28', '1.33']) {
    it(`kubectl ${version} attach streams the container's output until it ends`, async () => {
      const name = `attached-${version.replace('.', '')}`;
      node.store.create(PODS, podObject(name, { restartPolicy: 'Never' }));
      await waitFor(`${name} ready`, () => ready(name));
      const attaches = () => node.api!.requestCounts()['CONNECT pods/attach'] ?? 0;
      const before = attaches();
      const child = spawn(kubectlBinary(version), ['--kubeconfig', node.kubeconfigPath!, 'attach', name], {
        env: { PATH: process.env.PATH, HOME: home },
      });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      const closed = new Promise<number | null>((r) => child.once('close', r));
      // The attach is up once the server has counted the upgrade; then the app logs and exits.
      await waitFor('the attach', () => attaches() > before);
      const ip = (node.store.get(PODS, 'default', name)!.status as { podIP: string }).podIP;
      await fetch(`http://${ip}:8080/exit?code=0`);
      assert.equal(await closed, 0);
      assert.match(stdout, /exiting with 0/);
    });
  }
});

describe('port-forward', () => {
  for (const version of ['1.27', '1.29', '1.30', '1.31', '1.33']) {
    it(`kubectl ${version} port-forward svc/web reaches the pod`, async () => {
      const local = await freePort();
      const child = spawn(
        kubectlBinary(version),
        ['--kubeconfig', node.kubeconfigPath!, 'port-forward', 'svc/web', `${local}:80`, '-v=6'],
        { env: { PATH: process.env.PATH, HOME: home } },
      );
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      try {
        await waitFor('port-forward to listen', () => output.includes('Forwarding from'), 30_000);
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`http://127.0.0.1:${local}/ready`);
          assert.equal(res.status, 200);
          assert.deepEqual(await res.json(), { ready: true });
        }
        assert.match(output, /Handling connection for/);
        // Up to 1.30 kubectl speaks SPDY (POST, 101); from 1.31 it tunnels SPDY through a
        // WebSocket, without falling back.
        if (Number(version.split('.')[1]) >= 31) {
          assert.match(output, /negotiated protocol: portforward\.k8s\.io/);
          assert.doesNotMatch(output, /fallback to secondary dialer/);
        } else assert.match(output, /POST \S+\/pods\/web\/portforward 101 Switching Protocols/);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('close', r));
      }
    });
  }
});
