import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { main } from '../main.js';
import { loadConfig } from '../../config/load.js';
import { DEFAULTS } from '../../config/defaults.js';
import { renderStarter } from './starter.js';
import { appNameFromDir } from './index.js';

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(argv, { stdout, stderr, env: {}, interactive: false });
  return { code, out, err };
}

test('the starter is valid, shows the defaults and loads to them', () => {
  const text = renderStarter({ app: 'shop', image: 'docker.io/me/shop' });
  const raw = parse(text) as Record<string, unknown>;
  assert.equal(raw.drainSeconds, DEFAULTS.drainSeconds);
  const c = loadConfig('/x/cutover.yaml', { env: {}, readFile: () => text });
  assert.equal(c.app, 'shop');
  assert.equal(c.smokeTests[0]!.type, 'http');
  const withDir = loadConfig('/x/cutover.yaml', {
    env: {},
    readFile: () => renderStarter({ app: 'shop', manifests: './manifests' }),
  });
  assert.equal(withDir.manifests?.dir, '/x/manifests');
});

test('cutover init writes the file, refuses to overwrite without --force', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-init-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'cutover.yaml');
  let r = await run(['init', '-f', file, '--app', 'web']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /wrote .*cutover\.yaml/);
  assert.match(await readFile(file, 'utf8'), /^app: web$/m);
  await writeFile(file, 'app: mine\n');
  r = await run(['init', '-f', file, '--app', 'web']);
  assert.equal(r.code, 2);
  assert.match(r.err, /already exists/);
  assert.match(r.err, /--force/);
  assert.equal(await readFile(file, 'utf8'), 'app: mine\n');
  r = await run(['init', '-f', file, '--app', 'web', '--force']);
  assert.equal(r.code, 0);
  r = await run(['init', '-f', join(dir, 'b.yaml'), '--app', 'Bad_Name']);
  assert.equal(r.code, 2);
  assert.match(r.err, /app/);
});

test('init asks for the app name (or needs --app) and writes the hosts explicitly', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-init-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await run(['init', '-f', join(dir, 'a.yaml')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--app: cutover init needs the app name/);
  assert.match(r.err, /fix: pass --app NAME/);
  const file = join(dir, 'b.yaml');
  const ok = await run(['init', '-f', file, '--app', 'cart', '--host', 'cart.example.com']);
  assert.equal(ok.code, 0, ok.err);
  const c = loadConfig(file, { env: {} });
  assert.deepEqual(c.gateway.hosts, ['cart.example.com']);
  assert.match(await readFile(file, 'utf8'), /each\n# need their own host/);
  assert.deepEqual(
    loadConfig('/x/c.yaml', { env: {}, readFile: () => renderStarter({ app: 'a' }) }).gateway.hosts,
    ['*'],
  );
});

test('app name from the folder', () => {
  assert.equal(appNameFromDir('/src/My App_2'), 'my-app-2');
  assert.equal(appNameFromDir('/src/__'), 'myapp');
});

test('init --router writes a starter for each router; an unknown router is exit 2 naming the flag and the choices', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-init-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const router of ['istio', 'gateway-api', 'service'] as const) {
    const file = join(dir, `${router}.yaml`);
    const r = await run(['init', '-f', file, '--app', 'shop', '--router', router]);
    assert.equal(r.code, 0, r.err);
    const c = loadConfig(file, { env: {} });
    assert.equal(c.router, router);
    const text = await readFile(file, 'utf8');
    assert.match(text, new RegExp(`docs/routers/${router}\\.md`));
    if (router === 'service') {
      assert.equal(c.serviceType, 'LoadBalancer');
      assert.doesNotMatch(text, /^gateway:/m, 'a Service has no gateway');
      assert.match(text, /# previewUrl: /);
    } else {
      assert.match(text, /^gateway:\n {2}hosts: \["\*"\]/m);
    }
  }
  const gw = await run([
    'init',
    '-f',
    join(dir, 'gw2.yaml'),
    '--app',
    'a',
    '--router',
    'gateway-api',
    '--host',
    'a.example.com',
  ]);
  assert.equal(gw.code, 0, gw.err);
  assert.deepEqual(loadConfig(join(dir, 'gw2.yaml'), { env: {} }).gateway.hosts, ['a.example.com']);

  const bad = await run(['init', '-f', join(dir, 'bad.yaml'), '--app', 'shop', '--router', 'linkerd']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--router: --router "linkerd" is not a router/);
  assert.match(bad.err, /fix: pass one of istio, gateway-api, service/);
  const hosts = await run([
    'init',
    '-f',
    join(dir, 'bad.yaml'),
    '--app',
    'shop',
    '--router',
    'service',
    '--host',
    'x.example.com',
  ]);
  assert.equal(hosts.code, 2);
  assert.match(hosts.err, /--host does not apply to --router service/);
  await assert.rejects(readFile(join(dir, 'bad.yaml')), /ENOENT/, 'nothing written');
});
