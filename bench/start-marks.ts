// Reading what bench/child-marks.cjs stamped inside a measured `cutover` process (one JSON line
// per process, appended at its exit), for bench/rollback-breakdown.ts and bench/seed-vs-cutover.ts.
import { readFile } from 'node:fs/promises';

/** When the process began, when Node had started, when the first API request was made. */
export interface StartMarks {
  process: number;
  node: number;
  request: number;
}

/** The lines written so far to `file` (one per process that exited); none when there is no file. */
export async function readMarkLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

/** One process's stamps as ms since `spawnedAt` (epoch ms: performance.timeOrigin + now()). */
export function startMarks(line: string, spawnedAt: number): StartMarks {
  const m = JSON.parse(line) as { origin: number; preload: number; firstRequest?: number };
  const began = m.origin - spawnedAt;
  return {
    process: began,
    node: began + m.preload,
    request: m.firstRequest === undefined ? NaN : began + m.firstRequest,
  };
}
