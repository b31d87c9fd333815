#!/usr/bin/env node
// The published entry point runs the compiled CLI (npm ci runs `prepare`, which builds dist/).
import module from 'node:module';
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const first = argv[0];
if (first === '--version' || first === 'version') {
  // Answered here, as src/cli/main.ts would, so that it loads nothing but package.json.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`cutover ${pkg.version}\n`);
} else if (first === 'rollback' && !argv.includes('--help') && !argv.includes('-h')) {
  // The rollback races a person's finger on a broken release: it starts from its own one-file
  // bundle with its compiled code cached (bin/fast-path.js, docs/adr/0016-fast-rollback.md).
  const { runBundled } = await import('./fast-path.js');
  process.exitCode = await runBundled('rollback', argv);
} else {
  // Node >= 22.1 can keep V8's compiled code between runs (in the OS temp folder), which
  // shortens every start; Node 20 has no such cache and skips this. It must run before the
  // CLI's modules load, hence the dynamic import.
  module.enableCompileCache?.();
  const { main } = await import('../dist/src/cli/main.js');
  process.exitCode = await main(argv);
}
