// The server side of a SPDY/3.1 connection as Kubernetes clients speak it after
// `Upgrade: SPDY/3.1` (client-go's httpstream/spdy over moby/spdystream): the client opens
// streams with SYN_STREAM carrying plain headers (`streamType`, `port`, `requestID`, no
// `:method`/`:path`, which is why spdy-transport's HTTP-shaped parser cannot serve it), the
// server answers each with SYN_REPLY, both sides send DATA and half-close with FLAG_FIN.
// Header blocks are zlib-compressed with the SPDY/3 dictionary, one compression context per
// direction for the whole connection, so they are (de)compressed strictly in frame order.
// spdystream does no flow control, so neither do we (WINDOW_UPDATE frames are read and ignored).
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

const require = createRequire(import.meta.url);
const DICTIONARY = (
  require('spdy-transport/lib/spdy-transport/protocol/spdy/dictionary.js') as Record<number, Buffer>
)[3]!;

const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const HEADERS = 8;
const FLAG_FIN = 0x01;
/** Frames bigger than this are a protocol error (spdystream writes at most 32 KiB of data). */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export class SpdyStream extends EventEmitter {
  private finished = false;
  private remoteEnded = false;

  constructor(
    private readonly conn: SpdyConnection,
    readonly id: number,
    readonly headers: Record<string, string>,
  ) {
    super();
  }

  /** SYN_REPLY: the client waits for it before it uses the stream. */
  reply(): Promise<void> {
    return this.conn.sendReply(this.id);
  }

  write(data: Buffer | string): void {
    if (this.finished) return;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < buf.length; off += 32 * 1024)
      this.conn.sendData(this.id, buf.subarray(off, off + 32 * 1024), false);
  }

  /** Half-closes our side: an empty DATA frame with FLAG_FIN. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.conn.sendData(this.id, Buffer.alloc(0), true);
  }

  get ended(): boolean {
    return this.remoteEnded;
  }

  /** @internal */
  receive(data: Buffer, fin: boolean): void {
    if (data.length) this.emit('data', data);
    if (fin && !this.remoteEnded) {
      this.remoteEnded = true;
      this.emit('end');
    }
  }

  /** @internal */
  reset(): void {
    this.finished = true;
    if (!this.remoteEnded) {
      this.remoteEnded = true;
      this.emit('end');
    }
  }
}

interface ConnectionEvents {
  stream: [SpdyStream];
  close: [];
}

/** Emits `stream` for every stream the client opens and `close` when the socket is gone. */
export class SpdyConnection extends EventEmitter<ConnectionEvents> {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate: Inflate = createInflate({
    dictionary: DICTIONARY,
    flush: constants.Z_SYNC_FLUSH,
  });
  private readonly deflate: Deflate = createDeflate({
    dictionary: DICTIONARY,
    flush: constants.Z_SYNC_FLUSH,
  });
  /** Header blocks are processed one after the other: the zlib contexts are shared. */
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    this.inflate.on('error', () => this.close());
    this.deflate.on('error', () => this.close());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
  }

  /** GOAWAY, then the socket ends once what was written is flushed. */
  close(): void {
    if (this.closed) return;
    const goaway = Buffer.alloc(8);
    this.writeControl(GOAWAY, 0, goaway);
    this.closed = true;
    this.socket.end();
  }

  sendData(id: number, data: Buffer, fin: boolean): void {
    // Data must not overtake a SYN_REPLY still being compressed for the same stream.
    this.outbound = this.outbound.then(() => {
      if (this.closed) return;
      const head = Buffer.alloc(8);
      head.writeUInt32BE(id & 0x7fffffff, 0);
      head.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
      this.socket.write(data.length ? Buffer.concat([head, data]) : head);
    });
  }

  sendReply(id: number): Promise<void> {
    const done = this.outbound.then(async () => {
      const block = await this.compress(Buffer.alloc(4)); // zero header pairs
      const body = Buffer.alloc(4);
      body.writeUInt32BE(id & 0x7fffffff, 0);
      this.writeControl(SYN_REPLY, 0, Buffer.concat([body, block]));
    });
    this.outbound = done.catch(() => undefined);
    return done;
  }

  private writeControl(type: number, flags: number, body: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    const head = Buffer.alloc(8);
    head.writeUInt16BE(0x8000 | VERSION, 0);
    head.writeUInt16BE(type, 2);
    head.writeUInt32BE((flags << 24) | body.length, 4);
    this.socket.write(Buffer.concat([head, body]));
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUInt32BE(4) & 0xffffff;
      if (length > MAX_FRAME_BYTES) {
        this.socket.destroy();
        return;
      }
      if (this.buffer.length < 8 + length) return;
      const frame = this.buffer.subarray(0, 8 + length);
      this.buffer = this.buffer.subarray(8 + length);
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    const flags = frame[4]!;
    const body = frame.subarray(8);
    if ((frame[0]! & 0x80) === 0) {
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      // In order with the SYN_STREAMs still being decompressed.
      this.inbound = this.inbound.then(() => this.streams.get(id)?.receive(body, (flags & FLAG_FIN) !== 0));
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const block = body.subarray(10);
      this.inbound = this.inbound.then(async () => {
        const headers = parseHeaderBlock(await this.decompress(block));
        const stream = new SpdyStream(this, id, headers);
        this.streams.set(id, stream);
        this.emit('stream', stream);
        if (flags & FLAG_FIN) stream.receive(Buffer.alloc(0), true);
      });
    } else if (type === HEADERS) {
      // Never sent by spdystream after SYN_STREAM, but its block advances the shared zlib context.
      const block = body.subarray(4);
      this.inbound = this.inbound.then(async () => void (await this.decompress(block)));
    } else if (type === RST_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      this.inbound = this.inbound.then(() => this.streams.get(id)?.reset());
    } else if (type === PING) {
      this.writeControl(PING, 0, body);
    } else if (type === GOAWAY) {
      this.close();
    }
    // SETTINGS and WINDOW_UPDATE need no answer.
  }

  private onClose(): void {
    if (this.emitted) return;
    this.emitted = true;
    this.closed = true;
    for (const s of this.streams.values()) s.reset();
    this.inflate.close();
    this.deflate.close();
    this.emit('close');
  }
  private emitted = false;

  private decompress(block: Buffer): Promise<Buffer> {
    return zlibStep(this.inflate, block);
  }

  private compress(block: Buffer): Promise<Buffer> {
    return zlibStep(this.deflate, block);
  }
}

/**
 * One write through a long-lived zlib stream, collecting what the sync flush produces. Output
 * may be emitted after the write callback (readable buffering), so it is collected by a
 * permanent listener and taken one turn later; steps never overlap (callers chain them).
 */
const pendingOutput = new WeakMap<Inflate | Deflate, Buffer[]>();

function zlibStep(z: Inflate | Deflate, input: Buffer): Promise<Buffer> {
  let pending = pendingOutput.get(z);
  if (!pending) {
    const list: Buffer[] = [];
    pendingOutput.set(z, list);
    z.on('data', (c: Buffer) => list.push(c));
    pending = list;
  }
  const out = pending;
  return new Promise((resolve, reject) => {
    z.write(input, (err) => {
      if (err) {
        reject(err);
        return;
      }
      setImmediate(() => resolve(Buffer.concat(out.splice(0))));
    });
  });
}

/** SPDY/3 name/value block: a 32-bit count, then length-prefixed names and values. */
export function parseHeaderBlock(buf: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  if (buf.length < 4) return headers;
  const count = buf.readUInt32BE(0);
  let off = 4;
  for (let i = 0; i < count && off + 4 <= buf.length; i++) {
    const nameLen = buf.readUInt32BE(off);
    const name = buf.toString('utf8', off + 4, off + 4 + nameLen);
    off += 4 + nameLen;
    const valueLen = buf.readUInt32BE(off);
    const value = buf.toString('utf8', off + 4, off + 4 + valueLen);
    off += 4 + valueLen;
    headers[name.toLowerCase()] = value.split('\0')[0]!;
  }
  return headers;
}
