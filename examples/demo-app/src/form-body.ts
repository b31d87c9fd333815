// The request body as the seed's body-parser.urlencoded() reads it: form fields when the body is
// application/x-www-form-urlencoded, no fields otherwise; more than 100 kB is refused with 413.
import type { IncomingMessage } from 'node:http';

export const BODY_LIMIT_BYTES = 100 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  constructor() {
    super('request entity too large');
  }
}

export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return {};
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
