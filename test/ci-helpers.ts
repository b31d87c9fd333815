// Shared by the ci-*.test.ts files: run the CLI as a process, a fixture app, temp dirs.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CiInput } from '../src/ci/input.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cutover ARGS` from source in its own process, as a user's shell would. */
export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  const code = `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', code, '--', ...args], {
    cwd: options.cwd,
    env: options.env ?? { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ code: status ?? 1, stdout, stderr }));
  });
}

/** The seed's app as cutover.yaml describes it: image repository and the env-blue/env-green Secrets. */
export const FIXTURE_CONFIG = [
  'app: myapp',
  'image: docker.io/me/myapp',
  'secrets:',
  '  blue: env-blue',
  '  green: env-green',
  '',
].join('\n');

/** The generator input FIXTURE_CONFIG gives (the CLI tests check that it does). */
export const FIXTURE_INPUT: CiInput = {
  app: 'myapp',
  configPath: 'cutover.yaml',
  imageRepository: 'docker.io/me/myapp',
  colorSecrets: { blue: 'env-blue', green: 'env-green' },
  settingsPrefix: 'CUTOVER_ENV_',
  cutoverVersion: '0.1.0',
  settingsKeys: ['DB_PASSWORD', 'DB_USER'],
};

/** The flags that give FIXTURE_INPUT from FIXTURE_CONFIG. */
export const FIXTURE_FLAGS = ['--settings', 'DB_USER,DB_PASSWORD'];

/** A temp dir holding FIXTURE_CONFIG (or the given text) as cutover.yaml; removed by the caller. */
export async function fixtureRepo(
  config = FIXTURE_CONFIG,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-ci-'));
  await writeFile(join(dir, 'cutover.yaml'), config);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
