// How commands talk: results on stdout (text, or one JSON document with -o json), progress and
// logs on stderr — redrawn in place on a terminal, plain timestamped lines in CI or a pipe.
import type { CliIo } from './command.js';
import type { EngineLog, StepEvent } from '../engine/deps.js';

export interface Output {
  readonly json: boolean;
  readonly log: EngineLog;
  /** Prints the command's result: JSON as is, or the text rendering. */
  result<T>(value: T, text: (value: T) => string): void;
}

const MARK: Record<StepEvent['status'], string> = {
  start: '…',
  done: '✔',
  // A dry run's step: what would be done, never marked like a done one.
  planned: '- would',
  skipped: '•',
  failed: '✖',
};

function describe(e: StepEvent): string {
  const ms = e.ms !== undefined && e.status !== 'planned' ? ` (${e.ms} ms)` : '';
  const detail = e.detail && e.status !== 'start' ? ` — ${e.detail}` : '';
  return `${e.operation}: ${e.step}${detail}${e.status === 'start' ? '' : ms}`;
}

export function createOutput(io: CliIo, format: 'text' | 'json', clock: () => number = Date.now): Output {
  const live = io.interactive;
  const line = (text: string) => {
    const stamp = live ? '' : `${new Date(clock()).toISOString()} `;
    io.stderr.write(`${stamp}${text}\n`);
  };
  let pending = false;
  const log: EngineLog = {
    step(e) {
      if (live && e.status === 'start') {
        io.stderr.write(`${MARK.start} ${describe(e)}`);
        pending = true;
        return;
      }
      if (live && pending) io.stderr.write('\r\x1b[2K');
      pending = false;
      if (e.status === 'start') return line(`${describe(e)} …`);
      line(`${MARK[e.status]} ${describe(e)}`);
    },
    info(message) {
      if (live && pending) io.stderr.write('\r\x1b[2K');
      pending = false;
      line(message);
    },
    warn(message) {
      if (live && pending) io.stderr.write('\r\x1b[2K');
      pending = false;
      line(`warning: ${message}`);
    },
  };
  return {
    json: format === 'json',
    log,
    result(value, text) {
      io.stdout.write(
        format === 'json' ? JSON.stringify(value, null, 2) + '\n' : text(value).replace(/\n?$/, '\n'),
      );
    },
  };
}
