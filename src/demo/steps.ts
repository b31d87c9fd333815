// Runs cutover's own CLI as a separate process for each step of the demo, exactly as a CI job
// or a person would, and returns its JSON result. Its log lines are passed through, prefixed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { packageRoot } from '../package-root.js';

export interface StepResult {
  exitCode: number;
  json: unknown;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface StepRunnerOptions {
  kubeconfig: string;
  configFile: string;
  log: Writable;
  signal: AbortSignal;
  /** The environment the CLI runs in (KUBECONFIG and CI are added); default: this process's. */
  env?: NodeJS.ProcessEnv;
}

export function cliStepRunner(options: StepRunnerOptions) {
  const bin = join(packageRoot(), 'bin', 'cutover.js');
  return (args: string[]): Promise<StepResult> =>
    new Promise((done, fail) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, [bin, ...args, '-f', options.configFile, '-o', 'json'], {
        env: { ...(options.env ?? process.env), KUBECONFIG: options.kubeconfig, CI: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
        signal: options.signal,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        for (const line of d.toString().split('\n')) if (line.trim()) options.log.write(`    │ ${line}\n`);
      });
      child.on('error', fail);
      child.on('close', (code) => {
        let json: unknown;
        try {
          json = stdout.trim() ? JSON.parse(stdout) : undefined;
        } catch {
          json = undefined; // a failed command may print no JSON; the exit code says what happened
        }
        done({ exitCode: code ?? 1, json, stdout, stderr, ms: performance.now() - t0 });
      });
    });
}
