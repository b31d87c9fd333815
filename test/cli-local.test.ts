// `cutover local up --detach`, `local status`, `local down`, run as a user runs them (the built
// CLI as a process): the kubeconfig works, objects persist across down and up, and a corrupt
// state file is reported instead of being dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

function cutover(...args: string[]) {
  return spawnSync(process.execPath, ['bin/cutover.js', ...args], { encoding: 'utf8', timeout: 120_000 });
}

function serverOf(stateDir: string): string {
  const kubeconfig = parse(readFileSync(join(stateDir, 'kubeconfig'), 'utf8')) as {
    clusters: Array<{ cluster: { server: string; 'insecure-skip-tls-verify': boolean } }>;
    contexts: Array<{ context: { namespace: string } }>;
  };
  assert.equal(kubeconfig.clusters[0]!.cluster['insecure-skip-tls-verify'], true);
  assert.equal(kubeconfig.contexts[0]!.context.namespace, 'default');
  return kubeconfig.clusters[0]!.cluster.server;
}

test('local up --detach, status, down; objects persist across down and up', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cli-local-'));
  t.after(() => {
    cutover('local', 'down', '--state-dir', stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  });
  const up = cutover('local', 'up', '--detach', '--state-dir', stateDir, '--no-database');
  assert.equal(up.status, 0, up.stderr);
  assert.match(up.stdout, new RegExp(`export KUBECONFIG=${join(stateDir, 'kubeconfig')}`));
  const server = serverOf(stateDir);
  assert.match(server, /^http:\/\/127\.0\.0\.1:\d+$/, 'binds to loopback only');

  const status = cutover('local', 'status', '--state-dir', stateDir, '-o', 'json');
  assert.equal(status.status, 0);
  assert.equal(JSON.parse(status.stdout).running, true);

  const created = await fetch(`${server}/api/v1/namespaces/default/configmaps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kept' },
      data: { a: '1' },
    }),
  });
  assert.equal(created.status, 201);

  const down = cutover('local', 'down', '--state-dir', stateDir);
  assert.equal(down.status, 0, down.stderr);
  const stopped = cutover('local', 'status', '--state-dir', stateDir);
  assert.equal(stopped.status, 1);
  assert.match(stopped.stdout, /not running/);

  const again = cutover('local', 'up', '--detach', '--state-dir', stateDir, '--no-database');
  assert.equal(again.status, 0, again.stderr);
  // The same ports as before (they are free), so kubeconfigs and URLs users hold stay valid.
  assert.equal(serverOf(stateDir), server);
  const res = await fetch(`${serverOf(stateDir)}/api/v1/namespaces/default/configmaps/kept`);
  assert.equal(res.status, 200);
  assert.deepEqual(((await res.json()) as { data: unknown }).data, { a: '1' });
});

test('local up reports a corrupt state file and leaves it in place', (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cli-local-corrupt-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  writeFileSync(join(stateDir, 'objects.json'), '{"resourceVersion": 12, "objects": [');
  const up = cutover('local', 'up', '--detach', '--state-dir', stateDir, '--no-database');
  assert.notEqual(up.status, 0);
  assert.match(up.stderr, /objects\.json/);
  assert.equal(readFileSync(join(stateDir, 'objects.json'), 'utf8'), '{"resourceVersion": 12, "objects": [');
});

test('local up rejects a bad port with exit code 2 and writes nothing', () => {
  const stateDir = join(tmpdir(), `never-created-${process.pid}`);
  const res = cutover('local', 'up', '--api-port', '70000', '--state-dir', stateDir);
  assert.equal(res.status, 2);
  assert.match(res.stderr, /--api-port must be a port number/);
  assert.equal(existsSync(stateDir), false);
  const latency = cutover('local', 'up', '--api-latency-ms=-5', '--state-dir', stateDir);
  assert.equal(latency.status, 2);
  assert.match(latency.stderr, /--api-latency-ms must be a number of milliseconds ≥ 0, got "-5"/);
  assert.equal(existsSync(stateDir), false);
});
