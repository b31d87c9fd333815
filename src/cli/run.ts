// The frame of every CLI run: stdout and stderr through one redactor, SIGINT/SIGTERM turned
// into an abort signal, errors turned into exit codes (src/cli/exit.ts). Nothing below the entry
// point calls process.exit.
import type { CliIo } from './command.js';
import { reportError } from './exit.js';
import { Redactor } from '../engine/redact.js';
import { redacting } from './redacting-stream.js';

export async function runWithIo(
  partialIo: Partial<CliIo>,
  body: (io: CliIo) => Promise<number>,
): Promise<number> {
  const controller = new AbortController();
  // The reason names the signal: a stopped run says why in its last words.
  const onSignal = (sig: NodeJS.Signals) => controller.abort(new Error(`${sig} received`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const given = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    signal: controller.signal,
    redactor: new Redactor(),
    ...partialIo,
  };
  // One redactor between every command and the terminal or log: it knows secret-looking
  // environment values now, and the app's secrets once a session has read them.
  given.redactor.addSecretLooking(given.env);
  const io: CliIo = {
    ...given,
    stdout: redacting(given.stdout, given.redactor),
    stderr: redacting(given.stderr, given.redactor),
  };
  try {
    return await body(io);
  } catch (err) {
    return reportError(err, io.stderr);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
