// Cost of loading YAML input as it grows: cutover.yaml with N `env:` keys (parse, validate,
// resolve: loadConfig) and a manifest folder with one ConfigMap of N keys (loadManifestTemplates).
// Linear cost shows as a flat µs-per-key column.
//   node --import tsx bench/yaml-load.ts [sizes…]      e.g. 20000 50000 100000
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.js';
import { loadManifestTemplates } from '../src/manifests/load-dir.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const keys = (n: number, indent: string) =>
  Array.from({ length: n }, (_, i) => `${indent}KEY_${i}: "value-${i}"`).join('\n');

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const dir = await mkdtemp(join(tmpdir(), 'cutover-yaml-bench-'));
try {
  console.log('keys     input      bytes      ms   µs/key');
  for (const n of sizes.length ? sizes : [20_000, 50_000, 100_000, 200_000]) {
    const config = join(dir, `cutover-${n}.yaml`);
    const text = `app: myapp\nenv:\n${keys(n, '  ')}\n`;
    await writeFile(config, text);
    const ms = await time(() => loadConfig(config, { env: {} }));
    console.log(
      `${String(n).padEnd(8)} cutover.yaml ${String(text.length).padStart(9)} ${ms.toFixed(0).padStart(7)} ${((ms * 1000) / n).toFixed(1).padStart(8)}`,
    );
    const folder = join(dir, `manifests-${n}`);
    await import('node:fs/promises').then((fs) => fs.mkdir(folder));
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n${keys(n, '  ')}\n`;
    await writeFile(join(folder, 'configmap.yml'), manifest);
    const ms2 = await time(() => loadManifestTemplates(folder));
    console.log(
      `${String(n).padEnd(8)} manifests    ${String(manifest.length).padStart(9)} ${ms2.toFixed(0).padStart(7)} ${((ms2 * 1000) / n).toFixed(1).padStart(8)}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
