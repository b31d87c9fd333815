// What the demo prepares before the first release: the demo app's v1 and v2 images, the
// per-color Secrets the seed keeps its database settings in, and a cutover.yaml.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LocalCluster } from '../local/cluster.js';
import { packageRoot } from '../package-root.js';

export const DEMO_APP = 'myapp';

// The demo app runs the way cutover itself runs: from a built or installed cutover, compiled,
// with Node alone (dist/examples/demo-app, made by scripts/build.mjs); from source (tests,
// `node --import tsx`), from its TypeScript source with tsx, which only a clone has.
const fromSource = import.meta.url.endsWith('.ts');

export const demoAppDir = (): string =>
  join(packageRoot(), ...(fromSource ? [] : ['dist']), 'examples', 'demo-app');

export function registerDemoImages(cluster: LocalCluster): void {
  // v3 is the demo's bad release (`cutover demo --bad-release`): one request in five answers 500.
  const faults: Record<string, Record<string, string>> = { v3: { FAIL_PERCENT: '20' } };
  for (const version of ['v1', 'v2', 'v3']) {
    cluster.images.add(`demo/myapp:${version}`, {
      dir: demoAppDir(),
      env: { APP_VERSION: version, NODE_ENV: 'production', ...faults[version] },
      // node directly rather than `npm start`: 0.8 s faster to start, and SIGTERM reaches the app itself.
      command: fromSource ? ['node', '--import', 'tsx', 'src/app.ts'] : ['node', 'src/app.js'],
    });
  }
}

/** env-blue / env-green as the seed keeps them; the password is never printed by cutover. */
export async function createColorSecrets(cluster: LocalCluster, namespace: string): Promise<void> {
  const db = cluster.database!;
  for (const color of ['blue', 'green']) {
    const body = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `env-${color}`, namespace },
      type: 'Opaque',
      stringData: {
        DB_HOST: db.host,
        DB_PORT: String(db.port),
        DB_SCHEMA: 'postgres',
        DB_USER: 'postgres',
        DB_PASSWORD: `demo-secret-${color}-do-not-print`,
      },
    };
    const res = await fetch(new URL(`/api/v1/namespaces/${namespace}/secrets`, cluster.apiUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok && res.status !== 409)
      throw new Error(`creating Secret ${namespace}/env-${color}: HTTP ${res.status} ${await res.text()}`);
  }
}

export async function writeDemoConfig(dir: string, drainSeconds: number): Promise<string> {
  const config = {
    app: DEMO_APP,
    namespace: 'default',
    image: 'demo/myapp',
    port: 3000,
    replicas: 2,
    readinessPath: '/ready',
    secrets: { blue: 'env-blue', green: 'env-green' },
    smokeTests: [
      { name: 'ready through the gateway', http: { path: '/ready', expect: ['.ready == true'] } },
      { name: 'database reachable from a pod', exec: { command: ['npm', 'run', 'ping'] } },
    ],
    hooks: { preTest: [{ name: 'migrate', exec: { command: ['npm', 'run', 'migrate'] } }] },
    drainSeconds,
    leaseDurationSeconds: 15,
  };
  const path = join(dir, 'cutover.yaml');
  await writeFile(path, stringify(config));
  return path;
}
