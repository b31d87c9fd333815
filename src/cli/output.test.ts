import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createOutput } from './output.js';
import type { CliIo } from './command.js';

function io(interactive: boolean) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const value: CliIo = { stdout, stderr, env: {}, interactive, signal: new AbortController().signal };
  return { io: value, out: () => out, err: () => err };
}

const clock = () => Date.parse('2026-11-26T10:00:00.000Z');

test('in CI: one timestamped line per step event on stderr, the result alone on stdout', () => {
  const t = io(false);
  const o = createOutput(t.io, 'json', clock);
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

test('on a terminal: the running step is redrawn in place, no timestamps', () => {
  const t = io(true);
  const o = createOutput(t.io, 'text', clock);
  o.log.step({ operation: 'promote', step: 'switch all traffic to green', status: 'start' });
  o.log.step({ operation: 'promote', step: 'switch all traffic to green', status: 'done', ms: 300 });
  o.result('promoted green', (v) => v);
  assert.equal(
    t.err(),
    '… promote: switch all traffic to green\r\x1b[2K✔ promote: switch all traffic to green (300 ms)\n',
  );
  assert.equal(t.out(), 'promoted green\n');
});
