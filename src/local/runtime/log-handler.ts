// GET …/pods/{name}/log: serves a container's log file with the kubelet's options — container,
// previous, tailLines, sinceSeconds/sinceTime, timestamps, limitBytes, and follow (streams new
// lines until the container instance ends or the client goes away).
import { queryBool } from '../query-params.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../store/types.js';
import { badRequest, type ApiError } from '../store/api-error.js';
import { containerLogPath, readLogFile, type LogLine, type LogWriter } from './log-files.js';

export interface LogSources {
  stateDir: string;
  /** The open writer of a log file, if its container instance is still running. */
  openWriter(path: string): LogWriter | undefined;
}

interface ContainerStatusLike {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: unknown };
}

interface LogOptions {
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceMs?: number;
  limitBytes?: number;
}

function sendError(res: ServerResponse, err: ApiError): void {
  res.writeHead(err.code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(err.status));
}

function numberParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for ${name}: "${v}"`);
  return n;
}

function parseOptions(query: URLSearchParams): LogOptions {
  const sinceSeconds = numberParam(query, 'sinceSeconds');
  const sinceTime = query.get('sinceTime');
  const sinceMs =
    sinceSeconds !== undefined
      ? Date.now() - sinceSeconds * 1000
      : sinceTime
        ? Date.parse(sinceTime)
        : undefined;
  return {
    follow: queryBool(query, 'follow'),
    timestamps: queryBool(query, 'timestamps'),
    tailLines: numberParam(query, 'tailLines'),
    sinceMs,
    limitBytes: numberParam(query, 'limitBytes'),
  };
}

/** Which container and which instance of it: the log file to read, or an error as the API server words it. */
export function resolveLogFile(stateDir: string, pod: KubeObject, query: URLSearchParams): string {
  const spec = pod.spec as { containers?: Array<{ name: string }>; initContainers?: Array<{ name: string }> };
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.name);
  const podName = pod.metadata.name;
  let container = query.get('container') ?? '';
  if (!container) {
    if ((spec.containers ?? []).length !== 1) {
      throw badRequest(
        `a container name must be specified for pod ${podName}, choose one of: [${(spec.containers ?? []).map((c) => c.name).join(' ')}]`,
      );
    }
    container = spec.containers![0]!.name;
  }
  if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${podName}`);
  const status = pod.status as
    { containerStatuses?: ContainerStatusLike[]; initContainerStatuses?: ContainerStatusLike[] } | undefined;
  const cs = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])].find(
    (c) => c.name === container,
  );
  const restartCount = cs?.restartCount ?? 0;
  if (queryBool(query, 'previous')) {
    const path = containerLogPath(stateDir, pod, container, restartCount - 1);
    if (restartCount === 0 || readLogFile(path) === undefined)
      throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return path;
  }
  const path = containerLogPath(stateDir, pod, container, restartCount);
  if (readLogFile(path) === undefined) {
    const reason = cs?.state?.waiting?.reason ?? 'ContainerCreating';
    const why =
      reason === 'ErrImagePull' || reason === 'ImagePullBackOff'
        ? 'trying and failing to pull image'
        : reason;
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${why}`);
  }
  return path;
}

function render(line: LogLine, timestamps: boolean): string {
  return `${timestamps ? `${line.time} ` : ''}${line.text}\n`;
}

export function serveLog(
  sources: LogSources,
  req: IncomingMessage,
  res: ServerResponse,
  pod: KubeObject,
  query: URLSearchParams,
): void {
  let path: string;
  let options: LogOptions;
  try {
    options = parseOptions(query);
    path = resolveLogFile(sources.stateDir, pod, query);
  } catch (err) {
    if ((err as ApiError).status) return sendError(res, err as ApiError);
    throw err;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let budget = options.limitBytes ?? Infinity;
  const emit = (line: LogLine): boolean => {
    if (options.sinceMs !== undefined && Date.parse(line.time) < options.sinceMs) return true;
    const text = render(line, options.timestamps);
    const bytes = Buffer.from(text);
    const chunk = bytes.length > budget ? bytes.subarray(0, budget) : bytes;
    if (chunk.length) res.write(chunk);
    budget -= chunk.length;
    return budget > 0;
  };
  const lines = readLogFile(path) ?? [];
  const start = options.tailLines !== undefined ? Math.max(0, lines.length - options.tailLines) : 0;
  for (const line of lines.slice(start)) if (!emit(line)) return void res.end();
  const writer = options.follow && !queryBool(query, 'previous') ? sources.openWriter(path) : undefined;
  if (!writer || writer.closed) return void res.end();
  follow(writer, req, res, emit);
}

function follow(
  writer: LogWriter,
  req: IncomingMessage,
  res: ServerResponse,
  emit: (line: LogLine) => boolean,
): void {
  const onLine = (line: LogLine) => {
    if (!emit(line)) finish();
  };
  const finish = () => {
    writer.off('line', onLine);
    writer.off('close', finish);
    req.socket.off('close', finish);
    if (!res.writableEnded) res.end();
  };
  writer.on('line', onLine);
  writer.once('close', finish);
  // The client leaving (Ctrl-C on `kubectl logs -f`) ends the stream on our side too.
  req.socket.once('close', finish);
}
