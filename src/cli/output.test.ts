import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createOutput } from './output.js';
import { Redactor } from '../engine/redact.js';
import type { CliIo } from './command.js';

function io(interactive: boolean, env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const value: CliIo = {
    stdout,
    stderr,
    env,
    interactive,
    signal: new AbortController().signal,
    redactor: new Redactor(),
  };
  return { io: value, out: () => out, err: () => err };
}

const clock = () => Date.parse('2026-11-26T10:00:00.000Z');

test('in CI: one timestamped line per step event on stderr, the result alone on stdout', () => {
  const t = io(false);
  const o = createOutput(t.io, 'json', { clock });
  o.log.step({ operation: 'deploy', step: 'apply Deployment myapp-blue', status: 'start' });
  o.log.step({
    operation: 'deploy',
    step: 'apply Deployment myapp-blue',
    status: 'done',
    detail: 'created',
    ms: 12,
  });
  o.result({ ok: true }, () => 'unused');
  assert.equal(
    t.err(),
    '2026-11-26T10:00:00.000Z deploy: apply Deployment myapp-blue …\n' +
      '2026-11-26T10:00:00.000Z ✔ deploy: apply Deployment myapp-blue — created (12 ms)\n',
  );
  assert.deepEqual(JSON.parse(t.out()), { ok: true });
});

test('on a terminal: the running step is redrawn in place with its progress and elapsed time', () => {
  const t = io(true, { NO_COLOR: '1' });
  let now = clock();
  const o = createOutput(t.io, 'text', { clock: () => now, frameMs: 60_000 });
  o.log.step({ operation: 'deploy', step: 'wait for every green replica', status: 'start' });
  now += 1500;
  o.log.progress?.('1/3 ready');
  o.log.warn('pod x container app: Unhealthy — Readiness probe failed: 503');
  o.log.step({ operation: 'deploy', step: 'wait for every green replica', status: 'done', ms: 2000 });
  o.result('deployed', (v) => v);
  o.close();
  assert.equal(
    t.err(),
    '\r\x1b[2K⠋ deploy: wait for every green replica (0.0 s)' +
      '\r\x1b[2K⠙ deploy: wait for every green replica — 1/3 ready (1.5 s)' +
      '\r\x1b[2Kwarning: pod x container app: Unhealthy — Readiness probe failed: 503\n' +
      '\r\x1b[2K⠹ deploy: wait for every green replica — 1/3 ready (1.5 s)' +
      '\r\x1b[2K✔ deploy: wait for every green replica (2000 ms)\n',
  );
  assert.equal(t.out(), 'deployed\n');
});

test('colors on a terminal unless NO_COLOR, --no-color or CI', () => {
  const step = { operation: 'promote', step: 'switch', status: 'done', ms: 1 } as const;
  const colored = io(true);
  createOutput(colored.io, 'text').log.step(step);
  assert.equal(colored.err(), '\x1b[32m✔\x1b[0m promote: switch (1 ms)\n');
  for (const [env, noColor] of [
    [{ NO_COLOR: '1' }, false],
    [{}, true],
    [{ CI: 'true' }, false],
  ] as const) {
    const plain = io(true, env);
    createOutput(plain.io, 'text', { noColor }).log.step(step);
    assert.equal(plain.err(), '✔ promote: switch (1 ms)\n', JSON.stringify(env));
  }
});

test('in CI: progress is a line at most every 10 s, not one per call', () => {
  const t = io(false);
  let now = clock();
  const o = createOutput(t.io, 'text', { clock: () => now });
  o.log.step({ operation: 'deploy', step: 'wait', status: 'start' });
  for (let s = 1; s <= 25; s++) {
    now += 1000;
    o.log.progress?.(`${s} s`);
  }
  const lines = t.err().trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.slice(25)),
    ['deploy: wait …', '  … 10 s', '  … 20 s'],
  );
});
