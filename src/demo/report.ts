// Turns traffic samples and phase marks into the demo's timeline and per-phase table.
import type { TrafficSample } from './traffic.js';
import { isFailure } from './traffic.js';

export interface PhaseMark {
  name: string;
  startMs: number;
  endMs: number;
  /** the version plain users must not see during this phase (the one under test), if any */
  forbiddenPlainVersion?: string;
  note?: string;
}

export interface PhaseStats {
  phase: string;
  durationMs: number;
  requests: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  plainVersions: Record<string, number>;
  testVersions: Record<string, number>;
  /** plain requests served by the version under test before it was promoted */
  plainLeaks: number;
  note?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function countBy(samples: TrafficSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    const key = s.version || (isFailure(s) ? `error ${s.status || s.error}` : 'unknown');
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

export function phaseStats(samples: TrafficSample[], phases: PhaseMark[]): PhaseStats[] {
  return phases.map((ph) => {
    const inPhase = samples.filter((s) => s.at >= ph.startMs && s.at < ph.endMs);
    const plain = inPhase.filter((s) => s.kind === 'plain');
    const lat = inPhase.map((s) => s.latencyMs).sort((a, b) => a - b);
    return {
      phase: ph.name,
      durationMs: Math.round(ph.endMs - ph.startMs),
      requests: inPhase.length,
      failures: plain.filter(isFailure).length,
      p50Ms: Number(percentile(lat, 50).toFixed(1)),
      p99Ms: Number(percentile(lat, 99).toFixed(1)),
      plainVersions: countBy(plain),
      testVersions: countBy(inPhase.filter((s) => s.kind === 'test')),
      plainLeaks: ph.forbiddenPlainVersion
        ? plain.filter((s) => s.version === ph.forbiddenPlainVersion).length
        : 0,
      note: ph.note,
    };
  });
}

function fmtVersions(v: Record<string, number>): string {
  return (
    Object.entries(v)
      .map(([k, n]) => `${k}×${n}`)
      .join(' ') || '-'
  );
}

export function renderTable(rows: PhaseStats[]): string {
  const header = [
    'phase',
    'time',
    'requests',
    'failed',
    'p50 ms',
    'p99 ms',
    'plain users got',
    'test=true got',
    'leaks',
  ];
  const body = rows.map((r) => [
    r.phase,
    `${(r.durationMs / 1000).toFixed(1)}s`,
    String(r.requests),
    String(r.failures),
    r.p50Ms.toFixed(1),
    r.p99Ms.toFixed(1),
    fmtVersions(r.plainVersions),
    fmtVersions(r.testVersions),
    String(r.plainLeaks),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
