// kubectl is the judge: for each kubeconfig, the real kubectl 1.33 and cutover's client fetch the
// same object from a logging HTTPS server (self-signed certificates made here), and what the
// server saw (URL, Authorization, client certificate) and what the proxy was asked (CONNECT) must
// be the same. Files kubectl refuses, cutover refuses too: as bad input (exit 2) naming the file
// and the field, before sending anything.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connect } from '../src/kube/index.js';
import { exitCodeFor } from '../src/cli/exit.js';
import { kubectlBinary } from './helpers/kubectl.js';
import {
  makeCertificates,
  startLoggingApi,
  startRecordingProxy,
  type LoggingApi,
  type Pems,
  type RecordingProxy,
} from './helpers/logging-api.js';

const PATH = '/api/v1/namespaces/default/configmaps/probe';
let dir: string;
let pems: Pems;
let api: LoggingApi;
let proxy: RecordingProxy;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cutover-judge-'));
  pems = makeCertificates(dir, ['alice', 'bob']);
  api = await startLoggingApi(pems);
  proxy = await startRecordingProxy();
  // An exec credential plugin: prints the prepared ExecCredential named by $CRED, counts its runs.
  mkdirSync(join(dir, 'bin'));
  writeFileSync(
    join(dir, 'bin', 'cred.sh'),
    '#!/bin/sh\necho run >> "$(dirname "$0")/runs-$CRED"\ncat "$(dirname "$0")/cred-$CRED.json"\n',
  );
  chmodSync(join(dir, 'bin', 'cred.sh'), 0o755);
  const cred = (
    name: string,
    status: Record<string, unknown>,
    apiVersion = 'client.authentication.k8s.io/v1',
  ) =>
    writeFileSync(
      join(dir, 'bin', `cred-${name}.json`),
      JSON.stringify({ apiVersion, kind: 'ExecCredential', status }),
    );
  cred('token', { token: 'plugin-token' });
  cred('cert', { clientCertificateData: pems.clients.bob!.cert, clientKeyData: pems.clients.bob!.key });
  cred('beta', { token: 'beta-token' }, 'client.authentication.k8s.io/v1beta1');
  writeFileSync(join(dir, 'token-file'), 'file-token\n');
});
after(async () => {
  await api?.close();
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const caData = () => ({ 'certificate-authority-data': b64(pems.ca) });

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, userName = 'u') {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: userName } }],
    'current-context': 'x',
  };
}

interface Sent {
  /** exit code (kubectl's own, or the one cutover would give) */
  code: number;
  message: string;
  requests: string[];
  proxied: string[];
}

let n = 0;
async function both(
  config: object,
  env: Record<string, string> = {},
): Promise<{ kubectl: Sent; cutover: Sent }> {
  const file = join(dir, `case-${++n}`, 'kubeconfig');
  mkdirSync(join(dir, `case-${n}`));
  writeFileSync(file, stringify(config));
  const home = join(dir, `case-${n}`);
  const record = async (run: () => Promise<{ code: number; message: string }>): Promise<Sent> => {
    const a = api.seen.length;
    const p = proxy.seen.length;
    const { code, message } = await run();
    return {
      code,
      message,
      requests: api.seen
        .slice(a)
        .map(
          (s) => `${s.via} ${s.method} ${s.path} auth=${s.authorization ?? '-'} cert=${s.clientCn ?? '-'}`,
        ),
      proxied: proxy.seen.slice(p).map((s) => s.line.replace(/:\d+$/, ':PORT')),
    };
  };
  const kubectl = await record(
    () =>
      new Promise((resolve) => {
        const child = execFile(
          kubectlBinary('1.33'),
          ['--kubeconfig', file, 'get', '--raw', PATH, '--request-timeout=10s'],
          // cwd elsewhere: relative paths must resolve against the kubeconfig, not the cwd.
          { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', HOME: home, ...env } },
          (err, _stdout, stderr) =>
            resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, message: stderr.trim() }),
        );
        child.stdin?.end();
      }),
  );
  const cutover = await record(async () => {
    try {
      const client = connect(
        { kubeconfig: file, env: { HOME: home, PATH: process.env.PATH ?? '', ...env } },
        {},
        { maxAttempts: 1 },
      );
      try {
        await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'probe', namespace: 'default' });
      } finally {
        client.close();
      }
      return { code: 0, message: '' };
    } catch (err) {
      return { code: exitCodeFor(err), message: String((err as Error).message) };
    }
  });
  return { kubectl, cutover };
}

/** Both succeeded and sent the same thing; returns it. */
async function same(config: object, env?: Record<string, string>): Promise<Sent> {
  const { kubectl, cutover } = await both(config, env);
  assert.equal(kubectl.code, 0, `kubectl: ${kubectl.message}`);
  assert.equal(cutover.code, 0, `cutover: ${cutover.message}`);
  assert.deepEqual(cutover.requests, kubectl.requests);
  assert.deepEqual(cutover.proxied, kubectl.proxied);
  return cutover;
}

test('a token; a token file (relative) wins over an inline token; basic auth', async () => {
  const token = await same(kubeconfig({ server: api.httpsUrl, ...caData() }, { token: 'T1' }));
  assert.match(token.requests[0]!, /auth=Bearer T1 cert=-/);
  const both = await same(
    kubeconfig({ server: api.httpsUrl, ...caData() }, { token: 'inline', tokenFile: '../token-file' }),
  );
  assert.match(both.requests[0]!, /auth=Bearer file-token/);
  const basic = await same(
    kubeconfig({ server: api.httpsUrl, ...caData() }, { username: 'ann', password: 'pw' }),
  );
  assert.match(basic.requests[0]!, new RegExp(`auth=Basic ${b64('ann:pw')}`));
});

test('a client certificate from files relative to the kubeconfig; a CA file likewise', async () => {
  const sent = await same(
    kubeconfig(
      { server: api.httpsUrl, 'certificate-authority': '../ca.crt' },
      { 'client-certificate': '../client-alice.crt', 'client-key': '../client-alice.key' },
    ),
  );
  assert.match(sent.requests[0]!, /cert=alice/);
});

test('no credentials over plain http', async () => {
  const sent = await same(kubeconfig({ server: api.httpUrl }, { token: 'secret' }));
  assert.deepEqual(sent.requests, [`http GET ${PATH} auth=- cert=-`]);
});

test('exec plugins: a relative command, env and args; a token or a client certificate; v1beta1', async () => {
  const exec = (cred: string, apiVersion = 'client.authentication.k8s.io/v1') => ({
    exec: {
      apiVersion,
      command: '../bin/cred.sh',
      env: [{ name: 'CRED', value: cred }],
      interactiveMode: 'IfAvailable',
    },
  });
  const token = await same(kubeconfig({ server: api.httpsUrl, ...caData() }, exec('token')));
  assert.match(token.requests[0]!, /auth=Bearer plugin-token cert=-/);
  const cert = await same(kubeconfig({ server: api.httpsUrl, ...caData() }, exec('cert')));
  assert.match(cert.requests[0]!, /auth=- cert=bob/);
  const beta = await same(
    kubeconfig({ server: api.httpsUrl, ...caData() }, exec('beta', 'client.authentication.k8s.io/v1beta1')),
  );
  assert.match(beta.requests[0]!, /auth=Bearer beta-token/);
});

test('proxies: proxy-url (even for loopback); HTTPS_PROXY for a named host, not for loopback; NO_PROXY', async () => {
  const viaUrl = await same(
    kubeconfig({ server: api.httpsUrl, 'proxy-url': proxy.url, ...caData() }, { token: 'T' }),
  );
  assert.deepEqual(viaUrl.proxied, ['CONNECT 127.0.0.1:PORT']);
  const loopback = await same(kubeconfig({ server: api.httpsUrl, ...caData() }, { token: 'T' }), {
    HTTPS_PROXY: proxy.url,
  });
  assert.deepEqual(loopback.proxied, []);
  const named = { server: `https://kube.test:${api.httpsPort}`, ...caData() };
  const viaEnv = await same(kubeconfig(named, { token: 'T' }), { HTTPS_PROXY: proxy.url });
  assert.deepEqual(viaEnv.proxied, ['CONNECT kube.test:PORT']);
  const lower = await same(kubeconfig(named, { token: 'T' }), { https_proxy: proxy.url });
  assert.deepEqual(lower.proxied, ['CONNECT kube.test:PORT']);
  // NO_PROXY: straight to kube.test, which no DNS knows: both fail without asking the proxy.
  for (const noProxy of ['.test', 'kube.test', 'other.example,kube.test']) {
    const { kubectl, cutover } = await both(kubeconfig(named, { token: 'T' }), {
      HTTPS_PROXY: proxy.url,
      NO_PROXY: noProxy,
    });
    assert.notEqual(kubectl.code, 0);
    assert.equal(cutover.code, 5, cutover.message);
    assert.deepEqual([kubectl.proxied, cutover.proxied], [[], []], noProxy);
  }
});

test('files kubectl refuses: refused as bad input naming the file and field, nothing sent', async () => {
  const cases: Array<[object, RegExp, RegExp]> = [
    [
      kubeconfig({ server: api.httpsUrl, ...caData(), 'certificate-authority': '../ca.crt' }, { token: 'T' }),
      /certificate-authority-data and certificate-authority are both specified/,
      /clusters\[c\]\.certificate-authority: is set together with certificate-authority-data/,
    ],
    [
      kubeconfig({ server: api.httpsUrl, ...caData(), 'insecure-skip-tls-verify': true }, { token: 'T' }),
      /specifying a root certificates file with the insecure flag is not allowed/,
      /clusters\[c\]\.insecure-skip-tls-verify: is true while a certificate authority is set/,
    ],
    [
      kubeconfig(
        { server: api.httpsUrl, ...caData() },
        {
          'client-certificate': '../client-alice.crt',
          'client-certificate-data': b64(pems.clients.alice!.cert),
          'client-key': '../client-alice.key',
        },
      ),
      /client-cert-data and client-cert are both specified/,
      /users\[u\]\.client-certificate: is set together with client-certificate-data/,
    ],
    [
      kubeconfig({ server: api.httpsUrl, ...caData() }, { token: 'T', username: 'a', password: 'b' }),
      /more than one authentication method found for u; found \[token basicAuth\]/,
      /users\[u\]\.token: is set together with username\/password/,
    ],
    [
      // kubectl prompts for a password here (and fails without a terminal); cutover names the user.
      kubeconfig({ server: api.httpsUrl, ...caData() }, { token: 'T' }, 'nobody'),
      /EOF|nobody/,
      /contexts\[x\]\.user: names user "nobody", which is not defined in .*kubeconfig/,
    ],
  ];
  for (const [config, kubectlSays, cutoverSays] of cases) {
    const { kubectl, cutover } = await both(config);
    assert.notEqual(kubectl.code, 0);
    assert.match(kubectl.message, kubectlSays);
    assert.equal(cutover.code, 2, cutover.message);
    assert.match(cutover.message, cutoverSays);
    assert.deepEqual([kubectl.requests, cutover.requests], [[], []]);
  }
});

test('an exec credential is renewed when it expires and when the server answers 401', async () => {
  const file = join(dir, 'renew.kubeconfig');
  const credentialValidFor = (ms: number) =>
    writeFileSync(
      join(dir, 'bin', 'cred-renew.json'),
      JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token: 'renew-token', expirationTimestamp: new Date(Date.now() + ms).toISOString() },
      }),
    );
  credentialValidFor(60_000);
  writeFileSync(
    file,
    stringify(
      kubeconfig(
        { server: api.httpsUrl, ...caData() },
        {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: './bin/cred.sh',
            env: [{ name: 'CRED', value: 'renew' }],
            interactiveMode: 'Never',
          },
        },
      ),
    ),
  );
  let now = Date.now();
  const warnings: string[] = [];
  const client = connect(
    { kubeconfig: file, env: { PATH: process.env.PATH ?? '' } },
    { clock: () => now, logger: { debug: () => {}, warn: (m) => void warnings.push(m) } },
  );
  const runs = () => {
    try {
      return readFileSync(join(dir, 'bin', 'runs-renew'), 'utf8')
        .split('\n')
        .filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'probe', namespace: 'default' };
  try {
    await client.get(ref);
    await client.get(ref);
    assert.equal(runs(), 1, 'cached while valid');
    now += 60_000;
    credentialValidFor(600_000);
    await client.get(ref);
    assert.equal(runs(), 2, 'renewed after expirationTimestamp');
    api.rejectTokens.add('renew-token');
    const seenBefore = api.seen.length;
    await assert.rejects(client.get(ref), (e: Error) => exitCodeFor(e) === 5);
    assert.equal(runs(), 3, 'renewed on 401');
    assert.equal(api.seen.length - seenBefore, 2, 'the refused request was sent once more, then given up');
    assert.ok(warnings.some((w) => /answered 401; credentials renewed, sending it again/.test(w)));
  } finally {
    api.rejectTokens.clear();
    client.close();
  }
});

test('interactiveMode Always without a terminal: both refuse to run the plugin', async () => {
  const { kubectl, cutover } = await both(
    kubeconfig(
      { server: api.httpsUrl, ...caData() },
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: '../bin/cred.sh',
          env: [{ name: 'CRED', value: 'token' }],
          interactiveMode: 'Always',
        },
      },
    ),
  );
  assert.notEqual(kubectl.code, 0);
  assert.match(kubectl.message, /interactive/i);
  assert.equal(cutover.code, 5);
  assert.match(cutover.message, /needs a terminal \(interactiveMode: Always\) but standard input is not one/);
  assert.deepEqual([kubectl.requests, cutover.requests], [[], []]);
});
