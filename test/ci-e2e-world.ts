// The world of the CI end-to-end tests: a local cluster with the demo app registered under the
// image names the pipelines deploy (`demo/myapp:<tag>`), a checkout holding cutover.yaml, and a
// `cutover` on PATH that runs this source tree, as a runner with cutover installed would have.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_APP, demoConfig, startHarness, type Harness } from './engine-harness.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** Settings the pipelines sync into the colors' Secrets; no output may ever contain them. */
export const SETTINGS = {
  CUTOVER_ENV_BLUE_DB_PASSWORD: 'blue-pw-7f3a9c',
  CUTOVER_ENV_BLUE_FEATURE_FLAGS: 'blue-flags',
  CUTOVER_ENV_GREEN_DB_PASSWORD: 'green-pw-2b8d41',
  CUTOVER_ENV_GREEN_FEATURE_FLAGS: 'green-flags',
};
export const SECRET_VALUES = [SETTINGS.CUTOVER_ENV_BLUE_DB_PASSWORD, SETTINGS.CUTOVER_ENV_GREEN_DB_PASSWORD];

export interface CiWorld {
  h: Harness;
  /** The repository checkout: cutover.yaml and the generated pipeline files. */
  repo: string;
  /** The runner's environment: PATH with cutover first, HOME, CI. */
  baseEnv: Record<string, string>;
  kubeconfigText: string;
  addImage(tag: string): void;
}

export async function startCiWorld(): Promise<CiWorld> {
  const h = await startHarness({ propagationDelayMs: 100 });
  await h.writeConfig(
    demoConfig(h, { image: 'demo/myapp', secrets: { blue: 'env-blue', green: 'env-green' } }),
  );
  const bin = join(h.dir, 'bin');
  await mkdir(bin);
  const code = `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(process.argv.slice(1));`;
  await writeFile(
    join(bin, 'cutover'),
    `#!/usr/bin/env bash\nexec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(TSX)} --input-type=module -e ${shellQuote(code)} -- "$@"\n`,
  );
  await chmod(join(bin, 'cutover'), 0o755);
  return {
    h,
    repo: h.dir,
    baseEnv: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: h.dir, CI: 'true' },
    kubeconfigText: await readFile(h.cluster.kubeconfigPath, 'utf8'),
    addImage(tag) {
      h.cluster.images.add(`demo/myapp:${tag}`, {
        dir: DEMO_APP,
        env: { APP_VERSION: tag },
        command: ['npm', 'start'],
      });
    },
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Asserts no secret value appears in any of the texts. */
export function leaks(texts: string[]): string[] {
  return SECRET_VALUES.filter((v) => texts.some((t) => t.includes(v)));
}
