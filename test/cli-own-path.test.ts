// `cutover rollback` and `cutover promote` through the built entry point (bin/cutover.js) start
// from their own one-file bundles with V8's compiled code cached in the user's cache folder
// (bin/fast-path.js, docs/adr/0016-fast-rollback.md, docs/adr/0023-promote-on-its-own-path.md).
// Here, against the local cluster: they switch as main.ts would, each writes its own cache once
// and reuses it, they refuse and reject input with main's exit codes and words, and leave --help
// to main. Needs the build (`npm run build`; `npm test` builds).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { demoConfig, REPO_ROOT, startHarness, type Harness } from './engine-harness.js';
import { release } from '../src/engine/release.js';
import { promote } from '../src/engine/promote.js';
import { rollback } from '../src/engine/rollback.js';

let h: Harness;
let cacheHome: string;
let v2: string;

before(async () => {
  for (const name of ['rollback', 'promote'])
    assert.ok(
      existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', `${name}-main.cjs`)),
      `the build wrote dist/src/cli/${name}-main.cjs (run \`npm run build\`)`,
    );
  h = await startHarness({ propagationDelayMs: 0 });
  await h.writeConfig(demoConfig(h, { smokeTests: [], hooks: {}, leaseDurationSeconds: 15 }));
  cacheHome = await mkdtemp(join(tmpdir(), 'cutover-cache-'));
  await release(await h.context(), { image: 'demo/myapp:v1' });
  v2 = (await release(await h.context(), { image: 'demo/myapp:v2' })).release!;
});
after(async () => {
  await h?.stop();
  if (cacheHome) await rm(cacheHome, { recursive: true, force: true });
});

function bin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'cutover.js'), ...args], {
      env: { ...h.env, XDG_CACHE_HOME: cacheHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function cacheFiles(): Promise<string[]> {
  const dir = join(cacheHome, 'cutover', 'v8');
  return existsSync(dir) ? (await readdir(dir)).map((f) => join(dir, f)) : [];
}

test('rollback from the bundle switches back, and its compiled code is cached once and reused', async () => {
  // The cache of an older build goes when this build's is written.
  await mkdir(join(cacheHome, 'cutover', 'v8'), { recursive: true });
  await writeFile(join(cacheHome, 'cutover', 'v8', 'rollback-v0.0.0-x64-1-1.bin'), 'older build');
  // A refused run compiled only part of the rollback's path: it writes no cache.
  const refused = await bin(['rollback', '--release', 'r-not-live', '-f', h.configPath]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.deepEqual(
    (await cacheFiles()).map((f) => basename(f)),
    ['rollback-v0.0.0-x64-1-1.bin'],
  );
  const first = await bin(['rollback', '-f', h.configPath, '-o', 'json']);
  assert.equal(first.code, 0, first.stderr);
  const result = JSON.parse(first.stdout) as { operation: string; color: string; previousColor: string };
  assert.deepEqual([result.operation, result.color, result.previousColor], ['rollback', 'blue', 'green']);
  assert.doesNotMatch(first.stderr, /ExperimentalWarning/);
  // Every Node keeps the bundle's compiled code here, not in its own compile cache (ADR 0021).
  const files = await cacheFiles();
  assert.equal(files.length, 1, files.join(', '));
  assert.ok(files[0]!.includes(`-${process.version}-`), files[0]);
  const written = (await stat(files[0]!)).mtimeMs;

  await promote(await h.context(), { release: v2 });
  const again = await bin(['rollback', '-f', h.configPath, '-o', 'json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { color: string }).color, 'blue');
  assert.deepEqual(await cacheFiles(), files, 'one cache file per build and Node');
  assert.equal((await stat(files[0]!)).mtimeMs, written, 'V8 accepted the cache: not written again');
});

test('the bundle refuses and rejects with main.ts’s exit codes and words; --help is main’s', async () => {
  const stale = await bin(['rollback', '--release', 'r-not-live', '-f', h.configPath]);
  assert.equal(stale.code, 3, stale.stderr);
  assert.match(stale.stderr, /not r-not-live: refusing a rollback for a release that is not live/);
  const bogus = await bin(['rollback', '--bogus', '-f', h.configPath]);
  assert.equal(bogus.code, 2);
  assert.match(
    bogus.stderr,
    /cutover rollback: unknown flag --bogus\n {2}fix: `cutover rollback --help` lists its flags/,
  );
  const help = await bin(['rollback', '--help']);
  assert.equal(help.code, 0);
  assert.match(
    help.stdout,
    /^cutover rollback — send all traffic back to the previous color and verify it\n\nUsage: cutover rollback /,
  );
});

test('promote from its own bundle switches to the tested release and keeps a cache of its own', async () => {
  // Where the first test left it: v1 live on blue after a rollback, v2 tested on green.
  const rollbackCache = (await cacheFiles()).filter((f) => basename(f).startsWith('rollback-'));
  assert.equal(rollbackCache.length, 1, 'the rollback test ran first and cached its bundle');
  const stale = await bin(['promote', '--release', 'r-not-deployed', '-f', h.configPath]);
  assert.equal(stale.code, 3, stale.stderr);
  const first = await bin(['promote', '--release', v2, '-f', h.configPath, '-o', 'json']);
  assert.equal(first.code, 0, first.stderr);
  const result = JSON.parse(first.stdout) as { operation: string; color: string; release: string };
  assert.deepEqual([result.operation, result.color, result.release], ['promote', 'green', v2]);
  const promoteCache = (await cacheFiles()).filter((f) => basename(f).startsWith('promote-'));
  assert.equal(promoteCache.length, 1, (await cacheFiles()).join(', '));
  assert.deepEqual(
    (await cacheFiles()).filter((f) => basename(f).startsWith('rollback-')),
    rollbackCache,
    "promote's cache leaves the rollback's alone",
  );
  const written = (await stat(promoteCache[0]!)).mtimeMs;

  await rollback(await h.context(), {});
  const again = await bin(['promote', '--release', v2, '-f', h.configPath, '-o', 'json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { color: string }).color, 'green');
  assert.equal((await stat(promoteCache[0]!)).mtimeMs, written, 'V8 accepted the cache: not written again');

  const help = await bin(['promote', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^cutover promote — send all traffic to the tested color/);
});
