// Help comes from one source (the registry and each command's definition): the general help,
// `cutover help CMD`, `CMD --help` and docs/cli.md agree, every flag is described, typos get a
// did-you-mean and stray arguments are bad input (exit 2). Runs the CLI's main() in-process:
// none of this touches a cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../src/cli/main.js';
import { commands } from '../src/cli/registry.js';
import { renderCliDoc } from '../src/cli/help.js';
import { REPO_ROOT } from './engine-harness.js';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        add(String(chunk));
        done();
      },
    });
  const code = await main(argv, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: { PATH: process.env.PATH ?? '' },
    interactive: false,
  });
  return { code, stdout, stderr };
}

test('docs/cli.md carries the reference the registry generates (run `npm run docs:cli`)', async () => {
  const committed = readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');
  assert.equal(committed, await renderCliDoc(committed), 'docs/cli.md drifted: run `npm run docs:cli`');
});

test('every command: summary, described flags, usage naming only its flags, exit codes', async () => {
  for (const entry of commands) {
    const cmd = (await entry.load()).default;
    const name = entry.path.join(' ');
    assert.deepEqual(cmd.path, entry.path, `${name}: module path differs from the registry`);
    assert.match(entry.summary, /^[a-z].*[^.]$/, `${name}: summary`);
    for (const [flag, def] of Object.entries(cmd.flags))
      assert.ok(def.description.length > 8, `${name} --${flag} has no description`);
    for (const [, flag] of (cmd.usage ?? '').matchAll(/--([a-z][\w-]*)/g))
      assert.ok(cmd.flags[flag], `${name}: usage names --${flag}, which it does not take`);
    for (const [, short] of (cmd.usage ?? '').matchAll(/(?:^|[\s[])-([a-z])\b/g))
      assert.ok(
        Object.values(cmd.flags).some((d) => d.short === short),
        `${name}: usage names -${short}, which it does not take`,
      );
    for (const code of cmd.exitCodes) assert.ok(code >= 1 && code <= 5, `${name}: exit code ${code}`);
  }
});

test('general help lists every command with its registry summary', async () => {
  const run = await cli('--help');
  assert.equal(run.code, 0);
  for (const entry of commands) assert.ok(run.stdout.includes(entry.summary), entry.path.join(' '));
  assert.match(run.stdout, /4 {2}the release lock was not acquired in time/);
});

test('`cutover help deploy` and `cutover deploy --help` print the same command help', async () => {
  const a = await cli('help', 'deploy');
  const b = await cli('deploy', '--help');
  assert.equal(a.code, 0);
  assert.equal(a.stdout, b.stdout);
  assert.match(a.stdout, /^cutover deploy — deploy a release to the idle color/);
  assert.match(a.stdout, /--image IMAGE +the image to run/);
  assert.match(a.stdout, /--lock-timeout SECONDS +how long to wait in line .*\(default: lockTimeoutSeconds/);
  assert.match(
    a.stdout,
    /Examples:\n {2}# deploy myapp:2\.0 to the idle color\n {2}cutover deploy --image myapp:2\.0/,
  );
  assert.match(a.stdout, /Exit codes:\n {2}0 {2}done\n {2}1 /);
  const nested = await cli('help', 'local', 'image', 'add');
  assert.match(nested.stdout, /Arguments:\n {2}NAME:TAG/);
});

test('unknown commands and flags get a did-you-mean, exit 2', async () => {
  const cmd = await cli('deploi', '--image', 'x:1');
  assert.equal(cmd.code, 2);
  assert.match(cmd.stderr, /unknown command: deploi/);
  assert.match(cmd.stderr, /fix: did you mean `cutover deploy`\?/);
  const sub = await cli('lock', 'stauts');
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /did you mean `cutover lock status`\?/);
  const group = await cli('local');
  assert.equal(group.code, 2);
  assert.match(group.stderr, /needs a subcommand[\s\S]*cutover local up/);
  const flag = await cli('deploy', '--imgae', 'x:1');
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /error: --imgae: cutover deploy: unknown flag --imgae/);
  assert.match(flag.stderr, /fix: did you mean --image\?/);
  assert.doesNotMatch(flag.stderr, /To specify a positional argument/);
  const value = await cli('deploy', '--image');
  assert.equal(value.code, 2);
  assert.match(value.stderr, /--image needs a value[\s\S]*fix: give it one: --image IMAGE/);
});

test('stray positional arguments are bad input (exit 2), declared ones are required', async () => {
  const stray = await cli('status', 'green');
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /cutover status: unexpected argument 'green'/);
  const deploy = await cli('deploy', 'myapp:2.0');
  assert.equal(deploy.code, 2);
  assert.match(deploy.stderr, /unexpected argument 'myapp:2\.0'/);
  const afterDash = await cli('promote', '--', 'now');
  assert.equal(afterDash.code, 2);
  assert.match(afterDash.stderr, /takes nothing after --/);
  const missing = await cli('ci', 'parse-tag');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing TAG[\s\S]*usage: cutover ci parse-tag TAG/);
  const two = await cli('ci', 'parse-tag', 'v1', 'v2');
  assert.equal(two.code, 2);
  assert.match(two.stderr, /unexpected argument 'v2'/);
  assert.equal((await cli('ci', 'parse-tag', 'v1.2-green')).code, 0);
});

test('--lock-timeout takes whole seconds; anything else is exit 2 before the cluster', async () => {
  const bad = await cli('deploy', '--image', 'x:1', '--lock-timeout', '5m');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--lock-timeout 5m: not a number of seconds/);
});
