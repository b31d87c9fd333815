import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { InputError, UnreachableError } from '../errors.js';
import { loadKubeConfig } from './kubeconfig.js';

function kc(opts: {
  clusters?: Array<[string, Record<string, unknown>]>;
  users?: Array<[string, Record<string, unknown>]>;
  contexts?: Array<[string, Record<string, unknown>]>;
  current?: string;
}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: (opts.clusters ?? []).map(([name, cluster]) => ({ name, cluster })),
    users: (opts.users ?? []).map(([name, user]) => ({ name, user })),
    contexts: (opts.contexts ?? []).map(([name, context]) => ({ name, context })),
    ...(opts.current ? { 'current-context': opts.current } : {}),
  });
}

const files: Record<string, string> = {
  '/a/config': kc({
    clusters: [['prod', { server: 'https://prod:6443', 'certificate-authority': 'ca.pem' }]],
    users: [
      [
        'admin',
        { 'client-certificate': 'certs/admin.crt', 'client-key-data': Buffer.from('KEY').toString('base64') },
      ],
    ],
    contexts: [['prod', { cluster: 'prod', user: 'admin', namespace: 'shop' }]],
    current: 'prod',
  }),
  '/a/ca.pem': 'CA-PEM',
  '/a/certs/admin.crt': 'CERT-PEM',
  '/b/config': kc({
    clusters: [
      ['prod', { server: 'https://shadowed:1' }],
      ['local', { server: 'http://127.0.0.1:8080/', 'insecure-skip-tls-verify': true }],
    ],
    users: [['dev', { token: 'tok' }]],
    contexts: [['local', { cluster: 'local', user: 'dev' }]],
    current: 'local',
  }),
  '/var/run/secrets/kubernetes.io/serviceaccount/namespace': 'ci\n',
  '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt': 'SA-CA',
};
const readFile = (p: string) => {
  if (p in files) return files[p]!;
  throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
};

test('KUBECONFIG merges files: first definition and first current-context win; relative paths resolve per file', () => {
  const c = loadKubeConfig({ env: { KUBECONFIG: '/missing:/a/config:/b/config' }, readFile });
  assert.deepEqual(c.files, ['/a/config', '/b/config']);
  assert.equal(c.contextName, 'prod');
  assert.equal(c.cluster.server, 'https://prod:6443');
  assert.equal(c.cluster.caPem, 'CA-PEM');
  assert.equal(c.user.clientCertPem, 'CERT-PEM');
  assert.equal(c.user.clientKeyPem, 'KEY');
  assert.equal(c.namespace, 'shop');
});

test('--context picks a context from any merged file; namespace defaults to "default"; trailing / dropped', () => {
  const c = loadKubeConfig({ env: { KUBECONFIG: '/a/config:/b/config' }, context: 'local', readFile });
  assert.equal(c.cluster.server, 'http://127.0.0.1:8080');
  assert.equal(c.cluster.insecureSkipTlsVerify, true);
  // A plain-http server gets no credentials, as with kubectl.
  assert.equal(c.user.token, undefined);
  assert.match(c.user.withheld ?? '', /plain http/);
  assert.equal(c.namespace, 'default');
  assert.equal(
    loadKubeConfig({
      env: { KUBECONFIG: '/a/config:/b/config' },
      context: 'local',
      namespace: 'ns2',
      readFile,
    }).namespace,
    'ns2',
  );
});

test('--kubeconfig wins over KUBECONFIG and must exist', () => {
  const c = loadKubeConfig({ kubeconfig: '/b/config', env: { KUBECONFIG: '/a/config' }, readFile });
  assert.equal(c.contextName, 'local');
  assert.throws(() => loadKubeConfig({ kubeconfig: '/nope', env: {}, readFile }), InputError);
});

test('~/.kube/config when KUBECONFIG is unset', () => {
  const c = loadKubeConfig({
    env: { HOME: '/b', KUBECONFIG: undefined },
    readFile: (p) => readFile(p === '/b/.kube/config' ? '/b/config' : p),
  });
  assert.equal(c.contextName, 'local');
});

test('unknown context is bad input naming the known ones', () => {
  assert.throws(
    () => loadKubeConfig({ env: { KUBECONFIG: '/a/config' }, context: 'nope', readFile }),
    (e: InputError) => e instanceof InputError && /known: prod/.test(e.message),
  );
});

test('in-cluster only when no kubeconfig file exists', () => {
  const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', HOME: '/nohome' };
  const c = loadKubeConfig({ env, readFile });
  assert.equal(c.source, 'in-cluster');
  assert.equal(c.cluster.server, 'https://10.0.0.1:443');
  assert.equal(c.cluster.caPem, 'SA-CA');
  assert.equal(c.user.tokenFile, '/var/run/secrets/kubernetes.io/serviceaccount/token');
  assert.equal(c.namespace, 'ci');
  assert.equal(loadKubeConfig({ env: { ...env, KUBECONFIG: '/b/config' }, readFile }).source, 'kubeconfig');
});

test('nothing configured: UnreachableError (exit 5) with a remedy', () => {
  assert.throws(
    () => loadKubeConfig({ env: { HOME: '/nohome' }, readFile }),
    (e: UnreachableError) => e instanceof UnreachableError && /KUBECONFIG/.test(e.remedy!),
  );
});

test('exec plugins: a command with a path is relative to its kubeconfig, a bare name is left to PATH', () => {
  const exec = (command: string) => ({
    exec: { command, args: ['a'], apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never' },
  });
  files['/c/config'] = kc({
    clusters: [['x', { server: 'https://x' }]],
    users: [
      ['rel', exec('./bin/cred')],
      ['bare', exec('aws')],
    ],
    contexts: [
      ['rel', { cluster: 'x', user: 'rel' }],
      ['bare', { cluster: 'x', user: 'bare' }],
    ],
    current: 'rel',
  });
  const rel = loadKubeConfig({ kubeconfig: '/c/config', env: {}, readFile }).user.exec;
  assert.equal(rel?.command, '/c/bin/cred');
  assert.equal(rel?.interactiveMode, 'Never');
  const bare = loadKubeConfig({ kubeconfig: '/c/config', context: 'bare', env: {}, readFile }).user.exec;
  assert.equal(bare?.command, 'aws');
});

test("kubectl's validation: every problem of the used entries at once, as bad input naming file and field", () => {
  files['/d/config'] = kc({
    clusters: [
      [
        'x',
        {
          server: 'https://x',
          'certificate-authority': 'ca',
          'certificate-authority-data': 'Q0E=',
          'insecure-skip-tls-verify': true,
        },
      ],
    ],
    users: [
      [
        'u',
        {
          token: 't',
          username: 'a',
          password: 'b',
          'client-certificate': 'c',
          'client-certificate-data': 'Yw==',
        },
      ],
    ],
    contexts: [
      ['x', { cluster: 'x', user: 'u' }],
      ['ghost', { cluster: 'x', user: 'nobody' }],
    ],
    current: 'x',
  });
  assert.throws(
    () => loadKubeConfig({ kubeconfig: '/d/config', env: {}, readFile }),
    (e: InputError) => {
      assert.ok(e instanceof InputError);
      for (const re of [
        /clusters\[x\]\.certificate-authority: is set together with certificate-authority-data/,
        /clusters\[x\]\.insecure-skip-tls-verify: is true while a certificate authority is set/,
        /users\[u\]\.client-certificate: is set together with client-certificate-data/,
        /users\[u\]\.token: is set together with username\/password/,
        /users\[u\]\.client-key: is missing/,
      ])
        assert.match(e.message, re);
      assert.equal(e.file, '/d/config');
      return true;
    },
  );
  assert.throws(
    () => loadKubeConfig({ kubeconfig: '/d/config', context: 'ghost', env: {}, readFile }),
    /contexts\[ghost\]\.user: names user "nobody", which is not defined in \/d\/config/,
  );
});

test('a KUBECONFIG whose files are all missing is named in the error', () => {
  assert.throws(
    () => loadKubeConfig({ env: { KUBECONFIG: '/x/one:/x/two', HOME: '/nohome' }, readFile }),
    (e: InputError) =>
      e instanceof InputError &&
      /KUBECONFIG names \/x\/one, \/x\/two, and none of them exists/.test(e.message),
  );
});
