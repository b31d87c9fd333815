// Reading request bodies and writing JSON / Status responses, with the limits and error texts
// of the real API server (3 MiB bodies, Go-style JSON errors, Status bodies for every failure).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseYamlDocument } from './patch/index.js';
import { decodeProtobufObject, PROTOBUF } from './protobuf-body.js';
import {
  ApiError,
  badRequest,
  internalError,
  statusError,
  tooLarge,
  unsupportedMediaType,
} from '../store/api-error.js';

/** The real server's limit for a request body (apiserver MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
      failed = true;
    });
  });
}

export function mediaType(contentType: string | undefined): string {
  const raw = contentType ?? '';
  const i = raw.indexOf(';');
  return (i >= 0 ? raw.slice(0, i) : raw).trim().toLowerCase();
}

const BODY_TYPES = ['application/json', 'application/yaml'];

/** Decodes a create/update body: JSON (the default when no Content-Type is sent) or YAML. */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const type = mediaType(contentType) || 'application/json';
  if (type === PROTOBUF) return decodeProtobufObject(body);
  if (!BODY_TYPES.includes(type))
    throw unsupportedMediaType(type, [...BODY_TYPES, 'application/vnd.kubernetes.protobuf']);
  const text = body.toString('utf8');
  const value = type === 'application/yaml' ? parseYamlBody(text) : parseJsonBody(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`Object 'Kind' is missing in '${text.slice(0, 256)}'`);
  }
  return value as Record<string, unknown>;
}

export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${goJsonError(text, err as Error)}`);
  }
}

function parseYamlBody(text: string): unknown {
  try {
    // Guarded against deep nesting (which aborts the process) and self-referencing aliases.
    return parseYamlDocument(text);
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Go's encoding/json wording, which clients show users. */
function goJsonError(text: string, err: Error): string {
  if (text.trim() === '') return 'unexpected end of JSON input';
  const token = /Unexpected token '?(.)'?/.exec(err.message);
  const position = /position (\d+)/.exec(err.message);
  const ch = token ? token[1] : position ? text[Number(position[1])] : undefined;
  if (ch === undefined || /end of JSON input|Unterminated/.test(err.message))
    return 'unexpected end of JSON input';
  return `invalid character '${ch}' looking for beginning of value`;
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  code: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Turns anything thrown into a Status response; unexpected errors become 500 InternalError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return internalError(err instanceof Error ? err.message : String(err));
}

export function sendError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  // After a refused oversized body the rest of it is not read; the connection cannot be reused.
  if (err.code === 413) headers.Connection = 'close';
  sendJson(res, err.code, err.status, headers);
}

/** `Warning: 299 - "text"` headers, as the real server sends for admission and validation warnings. */
export function warningHeaders(warnings: string[]): string[] {
  return warnings.map((w) => `299 - ${JSON.stringify(w.replace(/[\r\n]+/g, ' '))}`);
}

export function methodNotSupported(): ApiError {
  return statusError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}
