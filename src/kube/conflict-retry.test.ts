import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, NotFoundError } from './errors.js';
import { retryOnConflict } from './conflict-retry.js';

const world = () => {
  const lines: string[] = [];
  return {
    lines,
    options: {
      what: 'replace configmaps default/h',
      logger: { debug: () => {}, warn: (m: string) => void lines.push(m) },
      sleep: async () => {},
      random: () => 0.5,
    },
  };
};
const conflict = () =>
  new ConflictError(409, { reason: 'Conflict', message: 'the object has been modified' });

test('re-runs the read-plan-write until no conflict, logging each re-run', async () => {
  const w = world();
  const result = await retryOnConflict(async (n) => {
    if (n < 3) throw conflict();
    return `done on ${n}`;
  }, w.options);
  assert.equal(result, 'done on 3');
  assert.equal(w.lines.length, 2);
  assert.match(
    w.lines[0]!,
    /^replace configmaps default\/h: conflict \(the object has been modified\); re-reading and trying again in \d+ ms \(attempt 2 of 5\)$/,
  );
});

test('bounded, and other errors are not retried', async () => {
  const w = world();
  let calls = 0;
  await assert.rejects(
    retryOnConflict(
      async () => {
        calls++;
        throw conflict();
      },
      { ...w.options, attempts: 3 },
    ),
    ConflictError,
  );
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(
    retryOnConflict(async () => {
      calls++;
      throw new NotFoundError(404, { reason: 'NotFound' });
    }, w.options),
    NotFoundError,
  );
  assert.equal(calls, 1);
});
