// Container processes: each runs in its own process group (spawned detached), so that stopping
// it stops everything it started too (`npm start` → node → workers), like a container's cgroup.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { readFileSync } from 'node:fs';

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch (err) {
    // ESRCH: the group is already gone, which is what we want.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export interface Exit {
  exitCode: number;
  signal?: NodeJS.Signals;
}

/** Exit code as a container runtime reports it: 128 + the signal number for a killed process. */
export function exitOf(code: number | null, signal: NodeJS.Signals | null): Exit {
  if (signal) return { exitCode: 128 + (constants.signals[signal] ?? 0), signal };
  return { exitCode: code ?? 0 };
}

export interface SpawnSpec {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  stdin?: boolean;
}

export function spawnGroup(spec: SpawnSpec): ChildProcess {
  const [file, ...args] = spec.command;
  return spawn(file!, args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
}

/** Resolves once the process has exited and its output pipes are drained. */
export function waitForExit(child: ChildProcess): Promise<Exit & { error?: Error }> {
  return new Promise((resolve) => {
    let error: Error | undefined;
    child.once('error', (err) => {
      error = err;
      // A process that never started emits no 'close' when it has no pipes; settle here.
      if (child.pid === undefined) resolve({ exitCode: 128, error });
    });
    child.once('close', (code, signal) => resolve({ ...exitOf(code, signal), ...(error ? { error } : {}) }));
  });
}

/**
 * When a process started (field 22 of /proc/<pid>/stat), to tell a process from a later one that
 * reuses its pid. Undefined where there is no /proc (then leftovers are not cleaned up).
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch (err) {
    if (['ENOENT', 'ESRCH', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}
