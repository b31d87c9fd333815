// Container logs as the kubelet keeps them: one file per container instance under
// `<stateDir>/pods/<namespace>_<pod>_<uid>/<container>/<restartCount>.log`, each line in the
// CRI format `<RFC3339Nano> <stdout|stderr> <F|P> <text>`. The current instance is
// <restartCount>.log, the previous one (kubectl logs --previous) <restartCount − 1>.log.
//
// Writes are synchronous: a reader that reads the file and then subscribes to new lines, in the
// same tick, can neither miss nor repeat a line.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import type { KubeObject } from '../store/types.js';

export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export function podLogDir(stateDir: string, pod: KubeObject): string {
  const { namespace, name, uid } = pod.metadata;
  return join(stateDir, 'pods', `${namespace}_${name}_${uid}`);
}

export function containerLogPath(
  stateDir: string,
  pod: KubeObject,
  container: string,
  restartCount: number,
): string {
  return join(podLogDir(stateDir, pod), container, `${restartCount}.log`);
}

/** RFC 3339 with nanoseconds, as the kubelet stamps log lines. */
export function nanoTimestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** The writer of one container instance's log; emits 'line' for each line and 'close' at the end. */
export class LogWriter extends EventEmitter {
  private fd: number | undefined;
  private readonly partial = { stdout: '', stderr: '' };

  constructor(readonly path: string) {
    super();
    mkdirSync(join(path, '..'), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    if (this.fd === undefined) return;
    const text = this.partial[stream] + chunk.toString();
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    for (const line of lines) this.writeLine(stream, line);
  }

  close(): void {
    if (this.fd === undefined) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.writeLine(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
    closeSync(this.fd);
    this.fd = undefined;
    this.emit('close');
  }

  private writeLine(stream: 'stdout' | 'stderr', text: string): void {
    const line: LogLine = { time: nanoTimestamp(), stream, text };
    writeSync(this.fd!, `${line.time} ${stream} F ${text}\n`);
    this.emit('line', line);
  }
}

export function readLogFile(path: string): LogLine[] | undefined {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const lines: LogLine[] = [];
  for (const raw of content.split('\n')) {
    const m = /^(\S+) (stdout|stderr) [FP] (.*)$/.exec(raw);
    if (m) lines.push({ time: m[1]!, stream: m[2] as LogLine['stream'], text: m[3]! });
  }
  return lines;
}

export function removePodLogs(stateDir: string, pod: KubeObject): void {
  rmSync(podLogDir(stateDir, pod), { recursive: true, force: true });
}
