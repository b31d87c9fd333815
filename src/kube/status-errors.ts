// Turns an API server answer or a socket error into cutover's typed errors.
import { UnreachableError } from '../errors.js';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidError,
  KubeApiError,
  NotFoundError,
  type KubeStatus,
} from './errors.js';

export function parseStatus(code: number, text: string): KubeStatus {
  try {
    const body = JSON.parse(text) as KubeStatus;
    if (body && typeof body === 'object' && body.kind === 'Status') return body;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through and keep the raw text as the message.
  }
  return { code, message: text.trim().slice(0, 300) || `HTTP ${code}`, reason: String(code) };
}

/** The typed error for an HTTP error answer. `what` names the request, e.g. `GET deployments/web`. */
export function apiError(code: number, status: KubeStatus, what: string, server: string): Error {
  if (code === 401 || code === 403) {
    return new UnreachableError(
      `${what}: the API server at ${server} refused us (${code} ${status.reason ?? ''}): ${status.message ?? ''}`,
      {
        remedy:
          code === 401
            ? 'the credentials in your kubeconfig are missing or expired; log in again or pick another --context'
            : 'the account lacks RBAC permission for this; grant it the verbs cutover needs (see docs/configuration.md)',
      },
    );
  }
  if (code === 404) return new NotFoundError(code, status);
  if (code === 409)
    return status.reason === 'AlreadyExists'
      ? new AlreadyExistsError(code, status)
      : new ConflictError(code, status);
  if (code === 422 || code === 400) return new InvalidError(code, status);
  return new KubeApiError(code, status, {
    remedy: code >= 500 ? 'the API server failed; retry later' : undefined,
  });
}

const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
};

export function socketErrorCode(err: unknown): string | undefined {
  let e = err as { code?: string; cause?: unknown } | undefined;
  for (let i = 0; e && i < 4; i++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** Socket-level failure → UnreachableError naming the server and what to check. */
export function unreachable(err: unknown, what: string, server: string, context: string): UnreachableError {
  const code = socketErrorCode(err) ?? '';
  // A timeout of our own says which clock fired and names the server; keep its words.
  const timedOut = (err as { phase?: string }).phase !== undefined && code === 'ETIMEDOUT';
  const why = timedOut ? (err as Error).message : (UNREACHABLE_CODES[code] ?? (err as Error).message);
  const tls = /certificate|self.signed|SSL|TLS/i.test(`${code} ${(err as Error).message}`);
  return new UnreachableError(
    `${what}: cannot reach the API server at ${server} (context ${context}): ${why}`,
    {
      cause: err,
      remedy: tls
        ? 'the server certificate is not trusted: check certificate-authority(-data) in the kubeconfig'
        : 'check that the cluster is up and the kubeconfig points at it (`kubectl cluster-info`); for the local cluster run `cutover local up`',
    },
  );
}
