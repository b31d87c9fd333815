// Objects written over HTTP survive a restart of the store and the API server; a corrupt state
// file stops start-up with an error naming the file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../src/errors.js';
import { startTestApiServer } from '../src/local/apiserver/testing.js';
import { createStore } from '../src/local/store/index.js';

// Replies are checked field by field, so they are typed loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function post(url: string, path: string, body: unknown): Promise<Record<string, Json>> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as Record<string, Json>;
}

test('objects and the resourceVersion counter persist across close and reopen', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'cutover-state-'));
  const first = await startTestApiServer({ stateDir });
  await post(first.api.url, '/api/v1/namespaces', { metadata: { name: 'prod' } });
  const cm = await post(first.api.url, '/api/v1/namespaces/prod/configmaps', {
    metadata: { name: 'settings' },
    data: { color: 'blue' },
  });
  await first.close();

  const second = await startTestApiServer({ stateDir });
  t.after(async () => {
    await second.close();
    await rm(stateDir, { recursive: true, force: true });
  });
  const res = await fetch(`${second.api.url}/api/v1/namespaces/prod/configmaps/settings`);
  assert.equal(res.status, 200);
  const again = (await res.json()) as Record<string, Json>;
  assert.equal(again.metadata.uid, cm.metadata.uid);
  assert.deepEqual(again.data, { color: 'blue' });
  const next = await post(second.api.url, '/api/v1/namespaces/prod/configmaps', {
    metadata: { name: 'more' },
  });
  assert.ok(Number(next.metadata.resourceVersion) > Number(cm.metadata.resourceVersion));
  // Events from before the restart are not retained: a watch that needs them gets 410.
  const before = Number(cm.metadata.resourceVersion) - 1;
  const stale = await fetch(
    `${second.api.url}/api/v1/namespaces/prod/configmaps?watch=1&timeoutSeconds=5&resourceVersion=${before}`,
  );
  const event = JSON.parse((await stale.text()).trim()) as { type: string; object: { code: number } };
  assert.deepEqual([event.type, event.object.code], ['ERROR', 410]);
});

test('a corrupt state file is reported with its path and left untouched', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'cutover-state-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const file = join(stateDir, 'objects.json');
  const halfWritten =
    '{"formatVersion":1,"resourceVersion":12,"objects":{"/configmaps":[{"apiVersion":"v1","kind":"Con';
  await writeFile(file, halfWritten);
  await assert.rejects(createStore({ stateDir }), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.equal(
      err.message,
      `the local cluster's state file ${file} is corrupt: it is not valid JSON (${(err.cause as Error).message}; half-written?)`,
    );
    assert.match(err.remedy ?? '', /Move .* away/);
    return true;
  });
  assert.equal(await readFile(file, 'utf8'), halfWritten);
});
