// Who may use the dashboard. Like Jupyter: a random token in the URL printed at start-up, traded
// for an HttpOnly SameSite=Strict cookie on the first visit. What must stay true:
// - every request but the favicon needs the token (cookie or `Authorization: Bearer`);
// - the Host header must name this server (a DNS-rebinding page cannot reach it by another name);
// - a write (POST) must come from this server's own page (Origin checked), so another site open
//   in the same browser cannot press the buttons;
// - binding to a non-loopback address without a token is refused before listening.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { InputError } from '../errors.js';

export const COOKIE = 'cutover_dashboard';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function isLoopback(address: string): boolean {
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1';
}

/** Refuses what would expose the engine's buttons to the network without a token. */
export function checkBinding(address: string, token: string | null): void {
  if (!isIP(address) && address !== 'localhost') {
    throw new InputError(`--address ${address} is not an IP address`, {
      field: '--address',
      remedy: 'give an IP address, e.g. --address 127.0.0.1 (the default) or --address 0.0.0.0',
    });
  }
  if (token === null && !isLoopback(address)) {
    throw new InputError(`refusing to serve the dashboard on ${address} without an access token`, {
      field: '--no-token',
      remedy: 'drop --no-token (a token is printed in the URL), or bind to 127.0.0.1',
    });
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

export interface AccessCheck {
  ok: boolean;
  status?: number;
  reason?: string;
}

export class Access {
  constructor(
    /** null: no token (loopback only). */
    readonly token: string | null,
    private readonly hosts: Set<string>,
  ) {}

  /** Host names (with port) this server answers to. */
  static hostsFor(address: string, port: number): Set<string> {
    const names = new Set([address, 'localhost', '127.0.0.1', '[::1]', '::1']);
    if (address === '0.0.0.0' || address === '::') return new Set(['*']);
    return new Set([...names].map((n) => `${n.includes(':') && !n.startsWith('[') ? `[${n}]` : n}:${port}`));
  }

  hostAllowed(req: IncomingMessage): boolean {
    return this.hosts.has('*') || this.hosts.has(req.headers.host ?? '');
  }

  /** The token presented in the query string (first visit), if any. */
  queryToken(url: URL): string | null {
    return url.searchParams.get('token');
  }

  tokenMatches(candidate: string | null | undefined): boolean {
    if (this.token === null) return true;
    return typeof candidate === 'string' && same(candidate, this.token);
  }

  check(req: IncomingMessage, url: URL): AccessCheck {
    if (!this.hostAllowed(req)) return { ok: false, status: 421, reason: 'unknown Host header' };
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const presented = bearer ?? cookieToken(req) ?? this.queryToken(url);
    if (!this.tokenMatches(presented)) {
      return {
        ok: false,
        status: 401,
        reason: 'missing or wrong access token: open the URL cutover printed',
      };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && bearer === undefined) {
      if (!this.originAllowed(req.headers.origin)) {
        return { ok: false, status: 403, reason: 'a write must come from the dashboard page itself' };
      }
    }
    return { ok: true };
  }

  private originAllowed(origin: string | undefined): boolean {
    if (!origin) return false;
    try {
      const host = new URL(origin).host;
      return this.hosts.has('*') || this.hosts.has(host);
    } catch {
      return false; // "null" and other opaque origins
    }
  }

  setCookie(): string {
    return `${COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`;
  }
}
