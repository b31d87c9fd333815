// Runs the real kubectl binaries the machine image ships (kubectl.1.27 … kubectl.1.33, beside
// the file `kubectl` on PATH resolves to) against a kubeconfig, for compatibility tests.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The folder holding kubectl.1.NN: where `readlink -f $(which kubectl)` points. */
export function kubectlDir(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'kubectl');
    if (dir && existsSync(candidate)) return dirname(realpathSync(candidate));
  }
  throw new Error('kubectl is not on PATH: the compatibility tests need the machine image kubectl binaries');
}

export function kubectlBinary(version: string): string {
  const bin = join(kubectlDir(), `kubectl.${version}`);
  if (!existsSync(bin)) throw new Error(`kubectl ${version} is not installed at ${bin}`);
  return bin;
}

export interface KubectlOptions {
  version: string;
  kubeconfigPath: string;
  /** Discovery cache; one per server, since kubectl caches per host:port for hours. */
  cacheDir: string;
  /** HOME for kubectl (it may write ~/.kube): a fresh one per run keeps runs independent. */
  home: string;
}

export interface WatchHandle {
  /** Resolves with the accumulated stdout once it matches; rejects after the deadline. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  output(): { stdout: string; stderr: string };
  stop(): Promise<void>;
}

export class Kubectl {
  readonly bin: string;
  constructor(private readonly opts: KubectlOptions) {
    this.bin = kubectlBinary(opts.version);
  }

  private args(args: string[]): string[] {
    return ['--kubeconfig', this.opts.kubeconfigPath, '--cache-dir', this.opts.cacheDir, ...args];
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.opts.home, KUBECONFIG: this.opts.kubeconfigPath };
  }

  /** Runs kubectl to completion; never throws on a non-zero exit (the tests assert the code). */
  run(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.bin,
        this.args(args),
        { env: this.env(), timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number'
              ? Number((err as { code: number }).code)
              : -1
            : 0;
          if (err && code === -1)
            reject(
              new Error(`kubectl ${args.join(' ')} failed to run: ${err.message}\n${stderr}`, { cause: err }),
            );
          else resolve({ code, stdout, stderr });
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
      else child.stdin?.end();
    });
  }

  /** Starts a long-running kubectl (`get --watch`); stop() kills it and waits for it to exit. */
  spawn(args: string[]): WatchHandle {
    const child: ChildProcess = spawn(this.bin, this.args(args), {
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const listeners = new Set<() => void>();
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const l of listeners) l();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      output: () => ({ stdout, stderr }),
      waitFor: (pattern, timeoutMs = 15_000) =>
        new Promise((resolve, reject) => {
          const check = () => {
            if (!pattern.test(stdout)) return;
            cleanup();
            resolve(stdout);
          };
          const timer = setTimeout(() => {
            cleanup();
            reject(
              new Error(
                `kubectl ${args.join(' ')}: no output matching ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
              ),
            );
          }, timeoutMs);
          const cleanup = () => {
            clearTimeout(timer);
            listeners.delete(check);
          };
          listeners.add(check);
          check();
        }),
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  }
}
