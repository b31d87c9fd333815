// stdout and stderr as commands see them: the same stream (isTTY, columns, events), but every
// text written passes through the redactor first. Writes are whole lines or whole documents in
// cutover, so a secret is never split across two writes.
import type { Writable } from 'node:stream';
import type { Redactor } from '../engine/redact.js';

export function redacting<T extends Writable>(stream: T, redactor: Redactor): T {
  const write = (chunk: unknown, rest: unknown[]) =>
    (stream.write as (...a: unknown[]) => boolean)(
      typeof chunk === 'string' || Buffer.isBuffer(chunk) ? redactor.redact(String(chunk)) : chunk,
      ...rest,
    );
  // While the redactor is still reading values to hide (Redactor.holdUntil), writes wait in
  // order and go out, redacted, once it knows them.
  let held: Array<[unknown, unknown[]]> | undefined;
  const hold = (chunk: unknown, rest: unknown[], until: Promise<void>): boolean => {
    if (!held) {
      held = [];
      void until.then(() => {
        const queue = held!;
        held = undefined;
        for (const [c, r] of queue) write(c, r);
      });
    }
    held.push([chunk, rest]);
    return true;
  };
  return new Proxy(stream, {
    get(target, key) {
      if (key === 'write') {
        return (chunk: unknown, ...rest: unknown[]) => {
          const until = redactor.pending;
          return held || until ? hold(chunk, rest, until ?? Promise.resolve()) : write(chunk, rest);
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
