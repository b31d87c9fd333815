import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { Redactor } from '../engine/redact.js';
import { redacting } from './redacting-stream.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

test('what is written while the redactor still reads its secrets waits, in order, and goes out redacted', async () => {
  const redactor = new Redactor();
  const out = sink();
  const stream = redacting(out.stream, redactor);
  let learned!: () => void;
  redactor.holdUntil(new Promise<void>((resolve) => (learned = resolve)));
  stream.write('first: s3cr3t-value\n');
  stream.write('second\n');
  await new Promise((r) => setImmediate(r));
  assert.equal(out.text(), '', 'nothing is shown before the secrets are known');
  redactor.add('s3cr3t-value');
  learned();
  await redactor.pending;
  await new Promise((r) => setImmediate(r));
  assert.equal(out.text(), `${redactor.redact('first: s3cr3t-value')}\nsecond\n`);
  assert.ok(!out.text().includes('s3cr3t-value'));
  stream.write('third\n');
  await new Promise((r) => setImmediate(r));
  assert.ok(out.text().endsWith('second\nthird\n'), 'after the read, writes go straight out');
});

test('a failed read of the secrets releases the output too (the command reports its error)', async () => {
  const redactor = new Redactor();
  const out = sink();
  const stream = redacting(out.stream, redactor);
  const failing = Promise.reject(new Error('unreachable'));
  failing.catch(() => undefined);
  redactor.holdUntil(failing);
  stream.write('error: cannot reach the API server\n');
  await redactor.pending;
  await new Promise((r) => setImmediate(r));
  assert.equal(out.text(), 'error: cannot reach the API server\n');
  assert.equal(redactor.pending, undefined);
});
