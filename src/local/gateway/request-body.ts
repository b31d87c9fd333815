// The downstream request body, streamed to the current upstream attempt and kept (up to a limit)
// so a retry can replay it, as Envoy buffers for retries. Bodyless requests cost nothing here.
import type { IncomingMessage, ClientRequest } from 'node:http';

const REPLAY_LIMIT_BYTES = 1024 * 1024;

/** From rawHeaders (req.headers would build an object per request). */
function hasBody(raw: string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === 17 && k.toLowerCase() === 'transfer-encoding') return true;
    if (k.length === 14 && k.toLowerCase() === 'content-length' && raw[i + 1] !== '0') return true;
  }
  return false;
}

export class RequestBody {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private overflow = false;
  private ended: boolean;
  private sink: ClientRequest | undefined;
  private readonly noBody: boolean;

  constructor(private readonly req: IncomingMessage) {
    this.ended = !hasBody(req.rawHeaders);
    this.noBody = this.ended;
    if (this.ended) return;
    req.on('data', (c: Buffer) => this.onData(c));
    req.on('end', () => {
      this.ended = true;
      this.sink?.end();
    });
  }

  /** True when the request has no body at all (the lean client's case). */
  get bodyless(): boolean {
    return this.noBody;
  }

  /** Whether a new attempt can send the whole body again. */
  get replayable(): boolean {
    return !this.overflow;
  }

  /** Sends what has arrived so far to `up`, then streams the rest to it. */
  attach(up: ClientRequest): void {
    this.sink = up;
    for (const c of this.chunks) up.write(c);
    if (this.ended) up.end();
  }

  detach(): void {
    this.sink = undefined;
    this.req.resume();
  }

  private onData(c: Buffer): void {
    if (!this.overflow) {
      this.bytes += c.length;
      if (this.bytes > REPLAY_LIMIT_BYTES) {
        this.overflow = true;
        this.chunks = [];
      } else this.chunks.push(c);
    }
    const sink = this.sink;
    if (sink && !sink.write(c)) {
      this.req.pause();
      sink.once('drain', () => this.req.resume());
    }
  }
}
