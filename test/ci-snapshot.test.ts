// Snapshot tests of the three generators. The output is deterministic (no times, no ids), so the
// snapshots are compared byte for byte with nothing normalised. After an intended change:
//   UPDATE_SNAPSHOTS=1 node --import tsx --test test/ci-snapshot.test.ts
// and review the diff of test/snapshots/ci/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { CI_SYSTEMS, planCi } from '../src/ci/plan.js';
import { FIXTURE_FLAGS, FIXTURE_INPUT, REPO_ROOT, fixtureRepo, runCli } from './ci-helpers.js';

const SNAPSHOTS = join(REPO_ROOT, 'test/snapshots/ci');
const update = process.env.UPDATE_SNAPSHOTS === '1';

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

for (const system of CI_SYSTEMS) {
  test(`${system}: generated files match the snapshots`, async () => {
    const files = planCi(system, FIXTURE_INPUT);
    const dir = join(SNAPSHOTS, system);
    if (update) {
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), content);
      }
    }
    assert.deepEqual(Object.keys(files), await listFiles(dir), 'the same set of files');
    for (const [path, content] of Object.entries(files)) {
      assert.equal(content, await readFile(join(dir, path), 'utf8'), `${system}: ${path}`);
    }
  });

  test(`${system}: same input, same bytes; a different app, different names`, () => {
    assert.deepEqual(planCi(system, FIXTURE_INPUT), planCi(system, { ...FIXTURE_INPUT }));
    const other = planCi(system, { ...FIXTURE_INPUT, app: 'shop', imageRepository: 'registry.example/shop' });
    const text = Object.values(other).join('\n');
    assert.match(text, /cutover-shop|shop kubernetes deployment/);
    assert.doesNotMatch(text, /myapp/);
  });
}

test('the CLI writes exactly what planCi plans, from cutover.yaml', async (t) => {
  const repo = await fixtureRepo();
  t.after(repo.remove);
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const system of CI_SYSTEMS) {
    const run = await runCli(['ci', system, ...FIXTURE_FLAGS], { cwd: repo.dir });
    assert.equal(run.code, 0, run.stderr);
    const planned = planCi(system, { ...FIXTURE_INPUT, cutoverVersion: pkg.version });
    for (const [path, content] of Object.entries(planned)) {
      assert.equal(await readFile(join(repo.dir, path), 'utf8'), content, path);
      assert.match(run.stdout, new RegExp(`created\\s+${path.replace(/\./g, '\\.')}`));
    }
  }
});
