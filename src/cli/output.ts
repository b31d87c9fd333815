// How commands talk: results on stdout (text, or one JSON document with -o json), progress and
// logs on stderr.
// - On a terminal (live): the running step is one line redrawn in place — a spinner, the step,
//   its latest progress ("2/3 ready") and the elapsed time; finished steps stay as ✔/✖ lines;
//   warnings are printed above the live line. Color unless NO_COLOR, --no-color or CI.
// - In CI or a pipe: one timestamped line per event; progress at most every PROGRESS_EVERY_MS,
//   so a ten-minute wait is a line every ten seconds, not a silence and not a flood.
import type { CliIo } from './command.js';
import type { ResultView } from './steps-text.js';
import type { EngineLog, StepEvent } from '../engine/deps.js';

export interface Output {
  readonly json: boolean;
  /** True when progress is redrawn in place: the result need not repeat the steps. */
  readonly live: boolean;
  readonly log: EngineLog;
  /** Prints the command's result: JSON as is, or the text rendering (told whether the display is live). */
  result<T>(value: T, text: (value: T, view: ResultView) => string): void;
  /** Stops the live line's timer and clears it. */
  close(): void;
}

export interface OutputOptions {
  clock?: () => number;
  /** --no-color. NO_COLOR and CI in io.env turn color off too. */
  noColor?: boolean;
  /** How often the live line is redrawn. */
  frameMs?: number;
}

export const PROGRESS_EVERY_MS = 10_000;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MARK: Record<StepEvent['status'], string> = {
  start: '…',
  done: '✔',
  // A dry run's step: what would be done, never marked like a done one.
  planned: '-',
  skipped: '•',
  failed: '✖',
};
const CLEAR = '\r\x1b[2K';

type Paint = (code: string, text: string) => string;

function describe(e: StepEvent): string {
  const ms = e.status === 'planned' ? ' (planned, not done)' : e.ms !== undefined ? ` (${e.ms} ms)` : '';
  const detail = e.detail && e.status !== 'start' ? ` — ${e.detail}` : '';
  return `${e.operation}: ${e.step}${detail}${e.status === 'start' ? '' : ms}`;
}

export function colorEnabled(io: CliIo, noColor = false): boolean {
  return io.interactive && !noColor && !io.env.NO_COLOR && !io.env.CI && io.env.TERM !== 'dumb';
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`;
}

export function createOutput(io: CliIo, format: 'text' | 'json', options: OutputOptions = {}): Output {
  const clock = options.clock ?? Date.now;
  const live = io.interactive;
  const paint: Paint = colorEnabled(io, options.noColor)
    ? (code, text) => `\x1b[${code}m${text}\x1b[0m`
    : (_code, text) => text;
  return live ? liveOutput(io, format, clock, paint, options.frameMs ?? 100) : plainOutput(io, format, clock);
}

function resultWriter(io: CliIo, format: 'text' | 'json', live: boolean) {
  return <T>(value: T, text: (value: T, view: ResultView) => string) =>
    io.stdout.write(
      format === 'json'
        ? JSON.stringify(value, null, 2) + '\n'
        : text(value, { live })
            .replace(/\n{3,}/g, '\n\n')
            .replace(/\n*$/, '\n'),
    );
}

function plainOutput(io: CliIo, format: 'text' | 'json', clock: () => number): Output {
  const line = (text: string) => io.stderr.write(`${new Date(clock()).toISOString()} ${text}\n`);
  let progressAt = clock();
  const log: EngineLog = {
    step(e) {
      progressAt = clock();
      if (e.status === 'start') return line(`${describe(e)} …`);
      line(`${MARK[e.status]} ${describe(e)}`);
    },
    info: line,
    warn: (message) => line(`warning: ${message}`),
    progress(text) {
      if (clock() - progressAt < PROGRESS_EVERY_MS) return;
      progressAt = clock();
      line(`  … ${text}`);
    },
  };
  return { json: format === 'json', live: false, log, result: resultWriter(io, format, false), close() {} };
}

function liveOutput(
  io: CliIo,
  format: 'text' | 'json',
  clock: () => number,
  paint: Paint,
  frameMs: number,
): Output {
  let current: { e: StepEvent; at: number } | undefined;
  let detail = '';
  let frame = 0;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (!current) return;
    const spin = paint('36', SPINNER[frame++ % SPINNER.length]);
    const extra = detail ? ` — ${detail}` : '';
    const elapsed = paint('2', `(${seconds(clock() - current.at)})`);
    // One terminal row: a longer line would wrap and the next redraw would leave its head behind.
    const width = Math.max(20, (io.stderr as { columns?: number }).columns ?? 100);
    const text = `${describe(current.e)}${extra}`;
    const room = width - 14;
    io.stderr.write(
      `${CLEAR}${spin} ${text.length > room ? `${text.slice(0, room - 1)}…` : text} ${elapsed}`,
    );
    drawn = true;
  };
  const clear = () => {
    if (drawn) io.stderr.write(CLEAR);
    drawn = false;
  };
  const above = (text: string) => {
    clear();
    io.stderr.write(`${text}\n`);
    draw();
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    current = undefined;
    clear();
  };
  const colorOf: Record<StepEvent['status'], string> = {
    start: '0',
    done: '32',
    planned: '36',
    skipped: '2',
    failed: '31',
  };
  const log: EngineLog = {
    step(e) {
      if (e.status === 'start') {
        clear();
        current = { e, at: clock() };
        detail = '';
        timer ??= setInterval(draw, frameMs);
        timer.unref();
        return draw();
      }
      stop();
      io.stderr.write(`${paint(colorOf[e.status], MARK[e.status])} ${describe(e)}\n`);
    },
    info: (message) => above(message),
    warn: (message) => above(`${paint('33', 'warning:')} ${message}`),
    progress(text) {
      detail = text;
      if (current) draw();
      // Outside a step (waiting for the lock) the progress itself is the live line.
      else {
        io.stderr.write(`${CLEAR}${paint('36', SPINNER[frame++ % SPINNER.length])} ${text}`);
        drawn = true;
      }
    },
  };
  return {
    json: format === 'json',
    live: true,
    log,
    result(value, text) {
      stop();
      resultWriter(io, format, true)(value, text);
    },
    close: stop,
  };
}
