#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` in a clone builds): compiles, then bundles the CLI.
// Any failure exits non-zero: a broken build must never install silently.
//
// 1. tsc compiles src/ and examples/ (and the tests, which are type-checked the same way) into
//    dist/, with declarations: dist/src is the library that package.json's `exports` names.
// 2. esbuild bundles the CLI (src/cli/main.ts) over tsc's dist/src/cli/main.js, with code
//    splitting: each command's code stays in its own chunk, loaded on first use, so read-only
//    commands stay lean. Our modules and the `yaml` package are inlined (loading ~50 files one by
//    one is most of a Node 20 start); every other package stays an ordinary import from
//    node_modules. A plain `tsc` run afterwards writes the unbundled main.js back, which works
//    the same, only starts slower (see docs/adr/0010-package-and-build.md).
// 3. The dashboard's page script (src/dashboard/page/client.ts) is compiled by its own tsconfig
//    (DOM library, no Node types) to dist/src/dashboard/page/client.js, which the server serves.
// 4. The demo app, compiled by tsc to dist/examples/demo-app/src, gets a package.json whose
//    scripts run the compiled files with Node alone (`npm start`, `npm run migrate`, `npm run ping`).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function step(what, fn) {
  const t0 = Date.now();
  return Promise.resolve(fn()).then(
    () => console.error(`build: ${what} (${Date.now() - t0} ms)`),
    (err) => {
      console.error(`build: ${what} FAILED`);
      throw err;
    },
  );
}

function tsc(project) {
  const bin = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const res = spawnSync(process.execPath, [bin, '-p', join(root, project)], { stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`tsc -p ${project} exited with ${res.status ?? res.signal}`);
}

const compile = () => tsc('tsconfig.json');
// The dashboard's page script runs in the browser: compiled on its own, with the DOM library.
const compilePage = () => tsc('tsconfig.page.json');

// yaml's Node build is CommonJS and requires builtins (`process`, `buffer`); an ES module bundle
// has no `require`, so each such require is answered by a small ES module re-exporting the builtin.
const builtinRequires = {
  name: 'builtin-requires',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'require-call' && isBuiltin(args.path)
        ? { path: args.path.replace(/^node:/, ''), namespace: 'builtin-esm' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-esm' }, (args) => ({
      contents: `export * from 'node:${args.path}';\nexport { default } from 'node:${args.path}';\n`,
      loader: 'js',
    }));
  },
};

// Every package but yaml stays external: resolved from node_modules at run time as usual.
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path === 'yaml' || args.path.startsWith('yaml/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

async function bundleCli() {
  rmSync(join(root, 'dist', 'src', 'cli', 'chunks'), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir: 'dist/src/cli',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    legalComments: 'eof',
    logLevel: 'warning',
    plugins: [builtinRequires, externalPackages],
  });
}

// `cutover rollback` and `cutover promote` each start from one CommonJS file of their own
// (bin/fast-path.js, docs/adr/0016-fast-rollback.md, docs/adr/0023-promote-on-its-own-path.md):
// nothing to resolve, one compile that V8 can cache between runs (Node 20 only caches CommonJS
// scripts compiled through vm.Script; Node >= 22 caches either). Two bundles, not one: each
// command's cache then holds what that command compiled. Help goes to main.js, which stays a
// separate file. `import.meta.url` becomes the bundle's own URL (the package root is found from
// there, and re2js through createRequire).
const mainStaysApart = {
  name: 'main-stays-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/main\.js$/ }, () => ({ path: './main.js', external: true }));
  },
};

// A dynamic import() inside a vm.Script needs a flag on Node 20; the bundle's few (packages loaded
// only for rare kubeconfigs, main.js for help) go through __cutoverImport instead: the hook
// bin/fast-path.js passes, or the ordinary import() when Node loads the file with require().
const IMPORT_HOOK = [
  // First, so that the whole file stays strict (ES modules are; esbuild's own line would follow).
  "'use strict';",
  "var __cutoverModuleUrl = require('node:url').pathToFileURL(__filename).href;",
  "var __cutoverImport = (s) => typeof __cutoverImportHook === 'function' ? __cutoverImportHook(s) : import(s);",
].join('\n');

/** The commands bin/cutover.js starts from their own bundle (its condition names the same two). */
const OWN_PATH_COMMANDS = ['rollback', 'promote'];

async function bundleOwnPaths() {
  const out = await build({
    absWorkingDir: root,
    entryPoints: OWN_PATH_COMMANDS.map((name) => ({ in: `src/cli/${name}-main.ts`, out: `${name}-main` })),
    outdir: 'dist/src/cli',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    define: { 'import.meta.url': '__cutoverModuleUrl' },
    banner: { js: IMPORT_HOOK },
    // Half the bytes to read and hash at every start (docs/adr/0020); names are kept, so stack
    // traces still name our functions, and the source map maps the rest.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    legalComments: 'eof',
    logLevel: 'warning',
    write: false,
    plugins: [mainStaysApart, externalPackages],
  });
  for (const file of out.outputFiles) {
    let text = file.text;
    if (file.path.endsWith('.cjs')) {
      const imports = text.match(/\bimport\((["'][^"'\n]+["'])\)/g) ?? [];
      if (imports.length === 0) throw new Error(`${file.path}: expected its dynamic imports to hook`);
      // Same lines, so the source map still points right (columns shift on those lines only).
      text = text.replace(/\bimport\((["'][^"'\n]+["'])\)/g, '__cutoverImport($1)');
    }
    writeFileSync(file.path, text);
  }
}

function demoAppPackage() {
  const source = JSON.parse(readFileSync(join(root, 'examples', 'demo-app', 'package.json'), 'utf8'));
  const scripts = Object.fromEntries(
    Object.entries(source.scripts).map(([name, line]) => {
      const compiled = line.replace(/^node --import tsx (\S+)\.ts$/, 'node $1.js');
      if (compiled === line)
        throw new Error(`examples/demo-app/package.json: script ${name} is not "node --import tsx FILE.ts"`);
      return [name, compiled];
    }),
  );
  const { tsx: _tsx, ...dependencies } = source.dependencies;
  const out = { ...source, main: source.main.replace(/\.ts$/, '.js'), scripts, dependencies };
  writeFileSync(
    join(root, 'dist', 'examples', 'demo-app', 'package.json'),
    JSON.stringify(out, null, 2) + '\n',
  );
}

try {
  // A clean dist/: files of deleted sources must not linger into the package.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  await step('compiled with tsc', compile);
  await step('compiled the dashboard page', compilePage);
  await step('bundled the CLI with esbuild', bundleCli);
  await step('bundled the rollback and promote paths, one file each', bundleOwnPaths);
  await step('wrote the compiled demo app package.json', demoAppPackage);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
