// The published package, tried as a new user would: `npm pack` of this checkout's build,
// installed globally into an empty prefix without dev dependencies, then run with Node alone (no
// tsx, no TypeScript): --version, a detached local cluster, a release of the demo app that ships
// compiled inside the package, and local down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PACKAGE_NAME, packageVersion } from '../src/package-root.js';
import { REPO, npmConfig, packTarball } from './helpers/pack.js';

// npm itself keeps this machine's cache and settings (certificate authority, registry): a fresh
// HOME is for cutover, not for reaching the registry.
const NPM_ENV = { npm_config_cache: npmConfig('cache'), npm_config_userconfig: npmConfig('userconfig') };

function run(bin: string, args: string[], env: Record<string, string>, cwd: string) {
  const res = spawnSync(bin, args, { env, cwd, encoding: 'utf8', timeout: 240_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

test('the packed tarball installs with --omit=dev and runs a release with Node alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tarball = packTarball(dir);
  const prefix = join(dir, 'prefix');
  const home = join(dir, 'home');
  mkdirSync(home);
  // Only Node's own folder (node and npm) and the system tools: nothing from this checkout.
  const env = {
    PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: home,
  };
  const install = run(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--omit=dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
    ],
    { ...env, ...NPM_ENV },
    dir,
  );
  assert.equal(install.code, 0, install.stderr);

  const installed = join(prefix, 'lib', 'node_modules', ...PACKAGE_NAME.split('/'));
  const deps = readdirSync(join(installed, 'node_modules'));
  for (const dev of ['tsx', 'typescript', 'esbuild']) assert.ok(!deps.includes(dev), `${dev} was installed`);
  assert.ok(!existsSync(join(installed, 'src')), 'the TypeScript sources are not shipped');

  const cutover = join(prefix, 'bin', 'cutover');
  const version = run(cutover, ['--version'], env, home);
  assert.equal(version.stdout, `cutover ${packageVersion()}\n`);

  const state = join(dir, 'state');
  const up = run(cutover, ['local', 'up', '--detach', '--state-dir', state], env, home);
  assert.equal(up.code, 0, up.stderr);
  t.after(() => run(cutover, ['local', 'down', '--state-dir', state], env, home));
  const info = JSON.parse(
    run(cutover, ['local', 'status', '--state-dir', state, '-o', 'json'], env, home).stdout,
  ) as {
    kubeconfig: string;
    database: { host: string; port: number };
  };
  const demoApp = join(installed, 'dist', 'examples', 'demo-app');
  const image = run(
    cutover,
    [
      'local',
      'image',
      'add',
      'demo/myapp:v1',
      '--dir',
      demoApp,
      '--env',
      'APP_VERSION=v1',
      '--state-dir',
      state,
    ],
    env,
    home,
  );
  assert.equal(image.code, 0, image.stderr);
  writeFileSync(
    join(home, 'cutover.yaml'),
    [
      'app: myapp',
      'namespace: default',
      `env: {DB_HOST: "${info.database.host}", DB_PORT: "${info.database.port}"}`,
      'smokeTests:',
      '  - {name: ready, http: {path: /ready, expect: [".ready == true"]}}',
      '  - {name: ping, exec: {command: [npm, run, ping]}}',
      'hooks: {preTest: [{name: migrate, exec: {command: [npm, run, migrate]}}]}',
      'rolloutTimeoutSeconds: 120',
      '',
    ].join('\n'),
  );
  const kenv = { ...env, KUBECONFIG: info.kubeconfig };
  const release = run(cutover, ['release', '--image', 'demo/myapp:v1', '-o', 'json'], kenv, home);
  assert.equal(release.code, 0, `${release.stdout}\n${release.stderr}`);
  const status = JSON.parse(run(cutover, ['status', '-o', 'json'], kenv, home).stdout) as {
    activeColor: string | null;
    release: string | null;
  };
  assert.equal(status.activeColor, 'blue');

  // The library example of docs/library.md, as written, against the installed package.
  const example = /```js\n([\s\S]*?)```/.exec(readFileSync(join(REPO, 'docs', 'library.md'), 'utf8'))![1]!;
  const link = join(home, 'node_modules', ...PACKAGE_NAME.split('/'));
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(installed, link);
  writeFileSync(join(home, 'status-or-rollback.mjs'), example);
  const lib = run(process.execPath, ['status-or-rollback.mjs'], kenv, home);
  assert.equal(lib.code, 0, lib.stderr);
  assert.deepEqual(JSON.parse(lib.stdout), { app: 'myapp', live: 'blue', release: status.release });
  assert.ok(existsSync(join(installed, 'dist', 'src', 'index.d.ts')), 'the declarations are shipped');

  const down = run(cutover, ['local', 'down', '--state-dir', state], env, home);
  assert.equal(down.code, 0, down.stderr);
});
