// A cluster process that dies without stopping its pods leaves their processes behind (they run
// in their own process groups). The next runtime that claims the address kills them, so the
// address and its ports are free again (a new runtime sweeps such addresses as it starts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { PodIpAllocator, POD_IP_LOCK_DIR } from '../src/local/runtime/pod-ips.js';
import { waitFor } from './runtime-harness.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('the containers of a crashed runtime are killed when their address is claimed again', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'cutover-crash-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'runtime-node.ts'),
      stateDir,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const ip = (await waitFor(
    'the pod in the child runtime is ready',
    () => /ready (\S+)/.exec(out)?.[1],
    90_000,
  ))!;
  const lock = JSON.parse(readFileSync(join(POD_IP_LOCK_DIR, ip), 'utf8')) as {
    pid: number;
    groups: Array<{ pgid: number }>;
  };
  assert.equal(lock.pid, child.pid);
  const app = lock.groups[0]!.pgid;
  assert.ok(alive(app), 'the app runs');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  // The app outlives the runtime that started it (its own process group); any runtime that
  // starts from now on — this one below, or one of another test running alongside — kills it.
  t.after(() => {
    if (alive(app)) process.kill(-app, 'SIGKILL');
  });
  // A new runtime sweeps the addresses of dead owners as it starts.
  const allocator = new PodIpAllocator();
  await waitFor('the leftover app to be killed', () => !alive(app), 20_000);
  // Another cluster may already use the freed address; it just must not be the orphan answering.
  const res = await fetch(`http://${ip}:8080/`).catch((err: Error) => err);
  if (!(res instanceof Error)) assert.notEqual(((await res.json()) as { pod?: string }).pod, 'orphan');
  allocator.releaseAll();
});
