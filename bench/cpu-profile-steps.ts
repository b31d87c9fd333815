// Reads V8 CPU profiles (.cpuprofile, as `node --cpu-prof` writes them) of `cutover rollback`
// and tells how long the steps of its start-up ran: the time of the samples taken while the
// step's function was on the stack. Sampling makes each figure coarse (a sample every 250 µs
// in rollback-breakdown, which also slows the process a little); the median over many runs is
// what to read. Used by bench/rollback-breakdown.ts (BENCH_CPU_PROF).
import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The steps, each a function (by name, and the end of its file's URL) that runs once; no name
 * is a file's own outermost function (a module's body; for the bundle, the wrapper fast-path.js
 * compiles around it), the only function on its first line.
 */
export const STEPS: Array<{ step: string; fn: string; file: string }> = [
  { step: 'compile the bundle (vm.Script, from its code cache)', fn: 'Script', file: 'node:vm' },
  { step: "evaluate the bundle's modules", fn: '', file: '-main.cjs' },
  { step: '  of which loading node:http', fn: '', file: 'node:http' },
  { step: 'read cutover.yaml', fn: 'loadSessionConfig', file: '-main.cjs' },
  { step: 'read the kubeconfig', fn: 'loadKubeConfig', file: '-main.cjs' },
  { step: 'garbage collection, whole run', fn: '(garbage collector)', file: '' },
];

function matches(frame: CallFrame, s: (typeof STEPS)[number]): boolean {
  if (!frame.url.endsWith(s.file)) return false;
  if (s.fn !== '') return frame.functionName === s.fn;
  return frame.functionName === '' && frame.lineNumber === 0;
}

/** Milliseconds per step in one profile. */
export async function profileSteps(file: string): Promise<Record<string, number>> {
  const p = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out: Record<string, number> = Object.fromEntries(STEPS.map((s) => [s.step, 0]));
  p.samples.forEach((id, i) => {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    const found = new Set<string>();
    for (let n = byId.get(id); n; n = byId.get(parent.get(n.id) ?? -1))
      for (const s of STEPS) if (matches(n.callFrame, s)) found.add(s.step);
    for (const step of found) out[step]! += ms;
  });
  return out;
}
