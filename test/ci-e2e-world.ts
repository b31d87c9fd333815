// The world of the CI end-to-end tests: a local cluster with the demo app registered under the
// image names the pipelines deploy (`demo/myapp:<tag>`), a checkout holding cutover.yaml, and a
// fresh runner: an empty HOME and npm prefix whose .npmrc points the @cutover-bg scope at a loopback
// npm registry serving this checkout's `npm pack` tarball. Nothing of this checkout is on the
// runner's PATH: the pipelines' own install line (run verbatim by the first job) installs cutover,
// and the later jobs find that exact version and skip the install, as on a persistent runner.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { DEMO_APP, demoConfig, startHarness, type Harness } from './engine-harness.js';
import { npmConfig, packTarball } from './helpers/pack.js';
import { startLocalRegistry, type LocalRegistry } from './helpers/npm-registry.js';
import { PACKAGE_NAME } from '../src/package-root.js';

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
  /** The runner's environment: HOME, PATH (its npm prefix, node, system tools), CI. */
  baseEnv: Record<string, string>;
  /** The runner's HOME. */
  home: string;
  kubeconfigText: string;
  registry: LocalRegistry;
  /** Where the pipelines' install line puts `cutover`. */
  installedBin: string;
  addImage(tag: string): void;
  stop(): Promise<void>;
}

export async function startCiWorld(): Promise<CiWorld> {
  const h = await startHarness({ propagationDelayMs: 100 });
  await h.writeConfig(
    demoConfig(h, { image: 'demo/myapp', secrets: { blue: 'env-blue', green: 'env-green' } }),
  );
  const registry = await startLocalRegistry(packTarball(h.dir));
  const home = join(h.dir, 'runner-home');
  const prefix = join(home, '.npm-global');
  await mkdir(join(prefix, 'bin'), { recursive: true });
  const scope = PACKAGE_NAME.split('/')[0];
  // The runner's npm settings: this machine's certificate authority, when npm has one set (to reach
  // the public registry for the dependencies), and the scope's registry; the package cache is
  // shared to spare the network. A Node.js installed elsewhere (`npm i node@24`) reads another
  // global npmrc, where `cafile` is unset: npm prints "null", and NODE_EXTRA_CA_CERTS serves.
  const cafile = npmConfig('cafile');
  const npmrc = [...(isAbsolute(cafile) ? [`cafile=${cafile}`] : []), `${scope}:registry=${registry.url}`];
  await writeFile(join(home, '.npmrc'), npmrc.join('\n') + '\n');
  // Semaphore's own commands, which its agents provide: the checkout is the working directory and
  // Node.js is already the one on PATH.
  const tools = join(home, 'semaphore-tools');
  await mkdir(tools);
  for (const tool of ['checkout', 'sem-version']) {
    await writeFile(join(tools, tool), '#!/usr/bin/env bash\nexit 0\n', { mode: 0o755 });
  }
  return {
    h,
    repo: h.dir,
    home,
    registry,
    installedBin: join(prefix, 'bin', 'cutover'),
    baseEnv: {
      PATH: [join(prefix, 'bin'), dirname(process.execPath), tools, '/usr/bin', '/bin'].join(':'),
      HOME: home,
      npm_config_prefix: prefix,
      npm_config_cache: npmConfig('cache'),
      ...(process.env.NODE_EXTRA_CA_CERTS && { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS }),
      CI: 'true',
    },
    kubeconfigText: await readFile(h.cluster.kubeconfigPath, 'utf8'),
    addImage(tag) {
      h.cluster.images.add(`demo/myapp:${tag}`, {
        dir: DEMO_APP,
        env: { APP_VERSION: tag },
        command: ['npm', 'start'],
      });
    },
    async stop() {
      await registry.close();
      await h.stop();
    },
  };
}

/**
 * The first job installed cutover through the pipeline's own line, resolved at the loopback
 * registry (the tarball itself may come from npm's content-addressed cache, by its integrity).
 */
export function installedFromRegistry(w: CiWorld): boolean {
  return existsSync(w.installedBin) && w.registry.requests.includes(`/${PACKAGE_NAME}`);
}

/** Asserts no secret value appears in any of the texts. */
export function leaks(texts: string[]): string[] {
  return SECRET_VALUES.filter((v) => texts.some((t) => t.includes(v)));
}
