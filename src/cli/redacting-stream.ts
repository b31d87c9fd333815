// stdout and stderr as commands see them: the same stream (isTTY, columns, events), but every
// text written passes through the redactor first. Writes are whole lines or whole documents in
// cutover, so a secret is never split across two writes.
import type { Writable } from 'node:stream';
import type { Redactor } from '../engine/redact.js';

export function redacting<T extends Writable>(stream: T, redactor: Redactor): T {
  return new Proxy(stream, {
    get(target, key) {
      if (key === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...a: unknown[]) => boolean)(
            typeof chunk === 'string' || Buffer.isBuffer(chunk) ? redactor.redact(String(chunk)) : chunk,
            ...rest,
          );
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
