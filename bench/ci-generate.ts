// How long `cutover ci` takes: planning the files (pure) per CI system, and the whole command as
// a process (start-up, loading cutover.yaml, planning, writing). Prints figures; asserts nothing.
//   node --import tsx bench/ci-generate.ts [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { CI_SYSTEMS, planCi } from '../src/ci/plan.js';
import type { CiInput } from '../src/ci/input.js';

const runs = Number(process.argv[2] ?? 20);
const input: CiInput = {
  app: 'myapp',
  configPath: 'cutover.yaml',
  imageRepository: 'docker.io/me/myapp',
  colorSecrets: { blue: 'env-blue', green: 'env-green' },
  settingsPrefix: 'CUTOVER_ENV_',
  cutoverVersion: '0.1.0',
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

for (const system of CI_SYSTEMS) {
  planCi(system, input); // warm up
  const times: number[] = [];
  for (let i = 0; i < runs * 10; i++) {
    const t = performance.now();
    planCi(system, input);
    times.push(performance.now() - t);
  }
  const files = Object.keys(planCi(system, input)).length;
  console.log(
    `planCi ${system.padEnd(9)} ${files} files: median ${median(times).toFixed(2)} ms over ${times.length} runs`,
  );
}

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const code = `import { main } from ${JSON.stringify(main)}; process.exitCode = await main(process.argv.slice(1));`;
const dir = mkdtempSync(join(tmpdir(), 'cutover-bench-ci-'));
writeFileSync(
  join(dir, 'cutover.yaml'),
  'app: myapp\nimage: docker.io/me/myapp\nsecrets: { blue: env-blue, green: env-green }\n',
);
const wall: number[] = [];
for (let i = 0; i < Math.min(runs, 5); i++) {
  const t = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      '--input-type=module',
      '-e',
      code,
      '--',
      'ci',
      'github',
      '--force',
    ],
    { cwd: dir },
  );
  if (r.status !== 0) throw new Error(`cutover ci github failed: ${r.stderr}`);
  wall.push(performance.now() - t);
}
rmSync(dir, { recursive: true, force: true });
console.log(
  `cutover ci github (process, from source via tsx): median ${median(wall).toFixed(0)} ms over ${wall.length} runs`,
);
