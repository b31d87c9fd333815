// `cutover ci` and `cutover ci parse-tag` run as processes: exit codes, messages, what is written.
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureRepo, runCli } from './ci-helpers.js';

test('unknown CI system: exit 2 naming the systems, nothing written', async (t) => {
  const repo = await fixtureRepo();
  t.after(repo.remove);
  const run = await runCli(['ci', 'jenkins'], { cwd: repo.dir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /unknown CI system "jenkins"/);
  assert.match(run.stderr, /cutover ci semaphore\|github\|gitlab/);
  assert.deepEqual(await readdir(repo.dir), ['cutover.yaml']);
  const none = await runCli(['ci'], { cwd: repo.dir });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no CI system named/);
});

test('missing or invalid cutover.yaml: exit 2 naming the file, the field and the fix', async (t) => {
  const repo = await fixtureRepo('image: docker.io/me/myapp\n');
  t.after(repo.remove);
  const missing = await runCli(['ci', 'github', '-f', 'nope.yaml'], { cwd: repo.dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.yaml not found/);
  assert.match(missing.stderr, /fix: run `cutover init`/);
  const noApp = await runCli(['ci', 'gitlab'], { cwd: repo.dir });
  assert.equal(noApp.code, 2);
  assert.match(noApp.stderr, /cutover\.yaml: app: missing required field "app"/);
  assert.deepEqual(await readdir(repo.dir), ['cutover.yaml']);
});

test('parse-tag: version and color; a tag with no version exits 2', async (t) => {
  const repo = await fixtureRepo();
  t.after(repo.remove);
  const green = await runCli(['ci', 'parse-tag', 'v2.0-green', '-o', 'json'], { cwd: repo.dir });
  assert.equal(green.code, 0, green.stderr);
  assert.deepEqual(JSON.parse(green.stdout), { tag: 'v2.0-green', version: '2.0', color: 'green' });
  const plain = await runCli(['ci', 'parse-tag', 'v2.1.0'], { cwd: repo.dir });
  assert.match(plain.stdout, /version 2\.1\.0, color idle/);
  for (const tag of ['release-blue', 'green', 'v1.2-gren']) {
    const bad = await runCli(['ci', 'parse-tag', tag], { cwd: repo.dir });
    assert.equal(bad.code, 2, tag);
    assert.match(bad.stderr, new RegExp(`release tag "${tag}"`));
    assert.match(bad.stderr, /fix: /);
  }
});

test('a changed file is not overwritten without --force; --check reports drift with exit 1', async (t) => {
  const repo = await fixtureRepo();
  t.after(repo.remove);
  assert.equal((await runCli(['ci', 'gitlab'], { cwd: repo.dir })).code, 0);
  const file = join(repo.dir, '.gitlab-ci.yml');
  const generated = await readFile(file, 'utf8');
  assert.equal((await runCli(['ci', 'gitlab', '--check'], { cwd: repo.dir })).code, 0);

  await writeFile(file, generated + '# my own edit\n');
  const refused = await runCli(['ci', 'gitlab'], { cwd: repo.dir });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /\.gitlab-ci\.yml already exists with other content; nothing was written/);
  assert.match(refused.stderr, /--force/);
  assert.equal(await readFile(file, 'utf8'), generated + '# my own edit\n');

  const check = await runCli(['ci', 'gitlab', '--check'], { cwd: repo.dir });
  assert.equal(check.code, 1);
  // --check writes nothing, so it never says "updated": it names the state and the lines.
  assert.doesNotMatch(check.stdout, /updated|created/);
  assert.match(check.stdout, /^differs\s+\.gitlab-ci\.yml$/m);
  assert.match(check.stdout, /^-# my own edit$/m);
  assert.match(check.stderr, /\.gitlab-ci\.yml not up to date/);
  await rm(file);
  const missing = await runCli(['ci', 'gitlab', '--check', '-o', 'json'], { cwd: repo.dir });
  assert.equal(missing.code, 1);
  assert.deepEqual(JSON.parse(missing.stdout), { files: [{ path: '.gitlab-ci.yml', state: 'missing' }] });
  await writeFile(file, generated + '# my own edit\n');

  const forced = await runCli(['ci', 'gitlab', '--force'], { cwd: repo.dir });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await readFile(file, 'utf8'), generated);
  assert.match(
    forced.stdout,
    /updated\s+\.gitlab-ci\.yml\nnext: add a protected CI\/CD variable of type File named KUBECONFIG/,
  );
  assert.match(forced.stdout, /see docs\/ci\/gitlab\.md/);
});

test('--out names the repository root; -f is written relative to it', async (t) => {
  const repo = await fixtureRepo();
  t.after(repo.remove);
  await mkdir(join(repo.dir, 'app'));
  await rename(join(repo.dir, 'cutover.yaml'), join(repo.dir, 'app/cutover.yaml'));
  const ok = await runCli(['ci', 'gitlab', '--out', '..', '-f', 'cutover.yaml', '-o', 'json'], {
    cwd: join(repo.dir, 'app'),
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), { files: [{ path: '.gitlab-ci.yml', outcome: 'created' }] });
  assert.match(
    await readFile(join(repo.dir, '.gitlab-ci.yml'), 'utf8'),
    /cutover deploy .* -f app\/cutover\.yaml$/m,
  );

  // A pipeline runs from the repository root: a cutover.yaml outside it cannot be found there.
  const outside = await runCli(['ci', 'gitlab', '--out', 'sub', '-f', 'cutover.yaml'], {
    cwd: join(repo.dir, 'app'),
  });
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /is outside .*sub/);
});

test('--no-settings-sync: Secrets managed elsewhere, so no sync step and no settings passed', async (t) => {
  const repo = await fixtureRepo();
  t.after(repo.remove);
  const run = await runCli(['ci', 'github', '--no-settings-sync'], { cwd: repo.dir });
  assert.equal(run.code, 0, run.stderr);
  const deploy = await readFile(join(repo.dir, '.github/workflows/myapp-deploy.yml'), 'utf8');
  assert.doesNotMatch(deploy, /secrets sync|toJSON\(secrets\)/);
  assert.match(deploy, /cutover deploy /);
  assert.doesNotMatch(run.stdout, /per-color settings/);
});

test('github: unnamed settings, a bad tarball and --build without an image exit 2, writing nothing', async (t) => {
  const repo = await fixtureRepo();
  t.after(repo.remove);
  const unnamed = await runCli(['ci', 'github'], { cwd: repo.dir });
  assert.equal(unnamed.code, 2);
  assert.match(unnamed.stderr, /only the secrets it names/);
  assert.match(unnamed.stderr, /--settings DB_PASSWORD/);
  const url = await runCli(['ci', 'gitlab', '--install-from', 'https://example.test/c.tgz'], {
    cwd: repo.dir,
  });
  assert.equal(url.code, 2);
  assert.match(url.stderr, /--install-sha256/);
  const noImage = await fixtureRepo('app: myapp\n');
  t.after(noImage.remove);
  const build = await runCli(['ci', 'semaphore', '--build'], { cwd: noImage.dir });
  assert.equal(build.code, 2);
  assert.match(build.stderr, /names no image/);
  assert.deepEqual(await readdir(repo.dir), ['cutover.yaml']);
});

test('--install-from a vendored tarball: the jobs check its sha256 before npm installs it', async (t) => {
  const repo = await fixtureRepo();
  t.after(repo.remove);
  await mkdir(join(repo.dir, 'vendor'));
  await writeFile(join(repo.dir, 'vendor', 'cutover.tgz'), 'tarball bytes');
  const run = await runCli(['ci', 'gitlab', '--install-from', 'vendor/cutover.tgz'], { cwd: repo.dir });
  assert.equal(run.code, 0, run.stderr);
  const ci = await readFile(join(repo.dir, '.gitlab-ci.yml'), 'utf8');
  const sha = createHash('sha256').update('tarball bytes').digest('hex');
  assert.match(
    ci,
    /cp \.\/vendor\/cutover\.tgz "\$tgz" && echo "[0-9a-f]{64} {2}\$tgz" \| sha256sum --check/,
  );
  assert.match(ci, new RegExp(`echo "${sha}  `), 'the sha256 of the file');
  const check = await runCli(['ci', 'gitlab', '--install-from', 'vendor/cutover.tgz', '--check'], {
    cwd: repo.dir,
  });
  assert.equal(check.code, 0, check.stdout);
  await writeFile(join(repo.dir, 'vendor', 'cutover.tgz'), 'other bytes');
  const stale = await runCli(['ci', 'gitlab', '--install-from', 'vendor/cutover.tgz', '--check'], {
    cwd: repo.dir,
  });
  assert.equal(stale.code, 1, 'a changed tarball makes the pipeline stale');
  assert.match(stale.stdout, /^-.*sha256sum/m);
});

test('each file names the exact command that made it; that command --check finds it up to date', async (t) => {
  const repo = await fixtureRepo();
  t.after(repo.remove);
  const flags = ['--settings', 'DB_USER,DB_PASSWORD', '--prefix', 'APP_', '--build'];
  assert.equal((await runCli(['ci', 'semaphore', ...flags], { cwd: repo.dir })).code, 0);
  const text = await readFile(join(repo.dir, '.semaphore', 'semaphore.yml'), 'utf8');
  const command = /^# Generated by `([^`]+)`/m.exec(text)?.[1];
  assert.equal(command, 'cutover ci semaphore --prefix APP_ --settings DB_PASSWORD,DB_USER --build');
  const again = await runCli([...command!.split(' ').slice(1), '--check'], { cwd: repo.dir });
  assert.equal(again.code, 0, again.stdout);
  // Checked with other flags, the diff's first lines say which command made the committed files.
  const other = await runCli(['ci', 'semaphore', '--check'], { cwd: repo.dir });
  assert.equal(other.code, 1);
  assert.match(other.stdout, /^-# Generated by `cutover ci semaphore --prefix APP_ --settings/m);
  assert.match(other.stdout, /^\+# Generated by `cutover ci semaphore` from/m);
});
