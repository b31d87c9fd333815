// A lean HTTP/1.1 client for the common case — a request without body and without upgrade —
// over a keep-alive pool of sockets per endpoint. Node's http.request costs about as much CPU
// again as the whole routing step; this one writes the request head in one write and parses
// the response framing itself (Content-Length, chunked, or until close). Anything else goes
// through Node's client (forward.ts).
import { connect, type Socket } from 'node:net';

/** `connect`: no connection was made. `stale`: a pooled connection died before any response byte. */
export type UpstreamFailure = 'connect' | 'stale' | 'reset';

export interface RawHandler {
  onHead(status: number, rawHeaders: string[]): void;
  /** Returns false to pause the upstream until `resume()`. */
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  /** Before the head: a retry may follow. After it: the response is cut short. */
  onError(failure: UpstreamFailure, err: Error): void;
}

/** Idle pooled connections are closed before the usual 5 s keep-alive timeout of Node servers. */
const DEFAULT_IDLE_MS = 4000;
const MAX_HEAD_BYTES = 64 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;

interface PooledSocket extends Socket {
  idleTimer?: NodeJS.Timeout;
  idleMs?: number;
}

export class RawPool {
  private readonly idle = new Map<string, PooledSocket[]>();
  private readonly all = new Set<Socket>();

  /** Sends `head` (request line + headers + blank line) and parses the response into `handler`. */
  send(address: string, port: number, head: string, headRequest: boolean, handler: RawHandler): RawExchange {
    const key = `${address}:${port}`;
    let socket = this.take(key);
    const reused = socket !== undefined;
    if (!socket) {
      socket = connect({ host: address, port, noDelay: true }) as PooledSocket;
      // Istio's default connect timeout; loopback refuses at once, but a silent address would hang.
      const fresh = socket;
      const timer = setTimeout(
        () => fresh.destroy(new Error('upstream connect timeout')),
        CONNECT_TIMEOUT_MS,
      );
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
      this.all.add(socket);
      socket.once('close', () => this.all.delete(socket!));
    }
    const ex = new RawExchange(this, key, socket, reused, headRequest, handler);
    socket.write(head, 'latin1');
    return ex;
  }

  release(key: string, socket: PooledSocket, idleMs: number): void {
    const list = this.idle.get(key) ?? [];
    list.push(socket);
    this.idle.set(key, list);
    const drop = (): void => {
      const i = list.indexOf(socket);
      if (i !== -1) list.splice(i, 1);
      socket.destroy();
    };
    socket.idleTimer = setTimeout(drop, idleMs);
    socket.idleTimer.unref();
    socket.once('close', drop);
    socket.on('error', drop);
    socket.unref();
  }

  private take(key: string): PooledSocket | undefined {
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const s = list.pop()!;
      clearTimeout(s.idleTimer);
      s.removeAllListeners('close');
      s.removeAllListeners('error');
      s.once('close', () => this.all.delete(s));
      if (!s.destroyed && s.readable && s.writable) {
        s.ref();
        // The last response may have ended while its reader was paused for backpressure.
        s.resume();
        return s;
      }
      s.destroy();
    }
    return undefined;
  }

  destroy(): void {
    for (const s of this.all) s.destroy();
    this.idle.clear();
  }
}

type Phase = 'head' | 'length' | 'chunked' | 'close' | 'done';

export class RawExchange {
  private phase: Phase = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  /** Chunked decoding: bytes of chunk data left, or -1 when a size line is expected. */
  private chunkLeft = -1;
  private trailers = false;
  private keepAlive = true;
  private idleMs = DEFAULT_IDLE_MS;
  private received = false;
  private connected: boolean;
  private readonly onData = (d: Buffer): void => this.data(d);
  private readonly onClose = (): void => this.closed(new Error('upstream connection closed'));
  private readonly onErr = (err: Error): void => this.closed(err);
  private readonly reused: boolean;

  constructor(
    private readonly pool: RawPool,
    private readonly key: string,
    private readonly socket: PooledSocket,
    reused: boolean,
    private readonly headRequest: boolean,
    private readonly handler: RawHandler,
  ) {
    this.connected = reused;
    this.reused = reused;
    if (!reused) socket.once('connect', () => (this.connected = true));
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onErr);
  }

  resume(): void {
    this.socket.resume();
  }

  abort(): void {
    this.detach();
    this.phase = 'done';
    this.socket.destroy();
  }

  private detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onErr);
  }

  private closed(err: Error): void {
    if (this.phase === 'done') return;
    if (this.phase === 'close') return this.finish(false);
    const before = this.phase === 'head';
    this.phase = 'done';
    this.detach();
    this.socket.destroy();
    const failure: UpstreamFailure = !this.connected
      ? 'connect'
      : before && this.reused && !this.received
        ? 'stale'
        : 'reset';
    this.handler.onError(before ? failure : 'reset', err);
  }

  private data(d: Buffer): void {
    this.received = true;
    let buf = this.pending ? Buffer.concat([this.pending, d]) : d;
    this.pending = undefined;
    while (buf.length > 0 && this.phase !== 'done') {
      const rest = this.step(buf);
      if (rest === undefined) return;
      buf = rest;
    }
    // Bytes after a complete response (no pipelining here): the connection cannot be trusted.
    if (buf.length > 0 && this.phase === 'done') this.socket.destroy();
  }

  /** Consumes what it can of `buf`; returns the unconsumed part, or undefined to wait for more. */
  private step(buf: Buffer): Buffer | undefined {
    switch (this.phase) {
      case 'head':
        return this.head(buf);
      case 'length': {
        const n = Math.min(this.remaining, buf.length);
        this.remaining -= n;
        this.emit(buf.subarray(0, n));
        if (this.remaining === 0) this.finish(this.keepAlive);
        return buf.subarray(n);
      }
      case 'chunked':
        return this.chunked(buf);
      case 'close':
        this.emit(buf);
        return Buffer.alloc(0);
      default:
        return Buffer.alloc(0);
    }
  }

  private emit(chunk: Buffer): void {
    if (chunk.length > 0 && !this.handler.onData(chunk)) this.socket.pause();
  }

  private head(buf: Buffer): Buffer | undefined {
    const end = buf.indexOf('\r\n\r\n');
    if (end === -1) {
      if (buf.length > MAX_HEAD_BYTES) this.closed(new Error('upstream response head too large'));
      else this.pending = buf;
      return undefined;
    }
    const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]!);
    if (!m) {
      this.closed(new Error('upstream sent a malformed status line'));
      return undefined;
    }
    const status = Number(m[2]);
    const rest = buf.subarray(end + 4);
    if (status >= 100 && status < 200) return rest; // 100 Continue, 103 Early Hints: skip
    this.keepAlive = m[1] === '1';
    const headers = this.parseHeaders(lines);
    this.handler.onHead(status, headers.raw);
    if (this.phase === 'done') return undefined; // the handler aborted
    if (this.headRequest || status === 204 || status === 304) {
      this.finish(this.keepAlive);
      return Buffer.alloc(0);
    }
    if (headers.chunked) this.phase = 'chunked';
    else if (headers.length !== undefined) {
      this.phase = 'length';
      this.remaining = headers.length;
      if (this.remaining === 0) this.finish(this.keepAlive);
    } else {
      this.phase = 'close';
      this.keepAlive = false;
    }
    return rest;
  }

  /** Hop-by-hop framing headers stay here; everything else goes to the handler. */
  private parseHeaders(lines: string[]): { raw: string[]; length?: number; chunked: boolean } {
    const raw: string[] = [];
    let length: number | undefined;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      const lower = name.toLowerCase();
      if (lower === 'content-length') length = Number(value);
      else if (lower === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
      else if (lower === 'connection') {
        if (value.toLowerCase().includes('close')) this.keepAlive = false;
        if (value.toLowerCase().includes('keep-alive')) this.keepAlive = true;
      } else if (lower === 'keep-alive') {
        const t = /timeout=(\d+)/.exec(value);
        if (t) this.idleMs = Math.max(0, Number(t[1]) * 1000 - 1000);
      }
      if (lower !== 'connection' && lower !== 'keep-alive' && lower !== 'transfer-encoding')
        raw.push(name, value);
    }
    if (length !== undefined && !Number.isSafeInteger(length)) length = undefined;
    return { raw, length: chunked ? undefined : length, chunked };
  }

  private chunked(buf: Buffer): Buffer | undefined {
    if (this.chunkLeft > 0) {
      const n = Math.min(this.chunkLeft, buf.length);
      this.chunkLeft -= n;
      this.emit(buf.subarray(0, n));
      if (this.chunkLeft === 0) this.chunkLeft = -2; // the CRLF after the data
      return buf.subarray(n);
    }
    const eol = buf.indexOf('\r\n');
    if (eol === -1) {
      this.pending = buf;
      return undefined;
    }
    const line = buf.subarray(0, eol).toString('latin1');
    const rest = buf.subarray(eol + 2);
    if (this.chunkLeft === -2)
      this.chunkLeft = -1; // consumed the CRLF after chunk data
    else if (this.trailers) {
      if (line === '') this.finish(this.keepAlive);
    } else {
      const size = parseInt(line, 16);
      if (Number.isNaN(size)) {
        this.closed(new Error('upstream sent a malformed chunk'));
        return undefined;
      }
      if (size === 0) this.trailers = true;
      else this.chunkLeft = size;
    }
    return rest;
  }

  private finish(reusable: boolean): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.detach();
    if (reusable && this.idleMs > 0 && !this.socket.destroyed)
      this.pool.release(this.key, this.socket, this.idleMs);
    else this.socket.destroy();
    this.handler.onEnd();
  }
}
