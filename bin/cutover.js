#!/usr/bin/env node
// The published entry point runs the compiled CLI (npm ci runs `prepare`, which builds dist/).
// It is CommonJS (bin/package.json): Node starts a CommonJS entry without setting up its ES
// module loader, which the rollback's start-up path never needs (docs/adr/0020).
'use strict';
const argv = process.argv.slice(2);
const first = argv[0];
const done = (code) => {
  process.exitCode = code;
};
if (first === '--version' || first === 'version') {
  // Answered here, as src/cli/main.ts would, so that it loads nothing but package.json.
  process.stdout.write(`cutover ${require('../package.json').version}\n`);
} else if (
  (first === 'rollback' || first === 'promote') &&
  !argv.includes('--help') &&
  !argv.includes('-h')
) {
  // The switch both ways: the rollback races a person's finger on a broken release, and a
  // promote is the moment everyone moves. Each starts from its own one-file bundle with its
  // compiled code cached (bin/fast-path.js, docs/adr/0016-fast-rollback.md, ADR 0023); the build
  // writes the same two (scripts/build.mjs, OWN_PATH_COMMANDS).
  require('./fast-path.js').runBundled(first, argv).then(done);
} else {
  // Node >= 22.1 can keep V8's compiled code between runs (in the OS temp folder), which
  // shortens every start; Node 20 has no such cache and skips this. It must run before the
  // CLI's modules load.
  require('node:module').enableCompileCache?.();
  import('../dist/src/cli/main.js').then(({ main }) => main(argv)).then(done);
}
