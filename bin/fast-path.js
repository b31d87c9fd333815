// Runs a command from its one-file bundle (dist/src/cli/NAME-main.cjs, written by
// scripts/build.mjs; docs/adr/0016-fast-rollback.md): one file to read, nothing to resolve, and
// V8's compiled code kept between runs with vm.Script's cachedData, in the user's cache folder,
// written after the run so that it holds every function the run compiled. On every Node: Node
// 22's and 24's own compile cache (module.enableCompileCache) keeps only what is compiled when
// the file loads, and left a rollback 14 ms later to its route write (docs/adr/0021). A cache
// V8 rejects (another Node, another build) is rewritten; one that cannot be read or written is
// skipped: it only ever costs the compile it would have saved.
'use strict';
const module_ = require('node:module');
const {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const { homedir } = require('node:os');
const { basename, dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

async function runBundled(name, argv) {
  const file = join(__dirname, '..', 'dist', 'src', 'cli', `${name}-main.cjs`);
  // Without the bundle (a plain `tsc` build), tsc's module of the same name does the same, slower.
  if (!existsSync(file)) return (await import(`../dist/src/cli/${name}-main.js`)).main(argv);
  const source = readFileSync(file, 'utf8');
  const cacheFile = cachePath(name, file);
  const cachedData = readOptional(cacheFile);
  // The wrapper CommonJS gives every module, plus the hook the bundle's dynamic imports call
  // (scripts/build.mjs): import() itself needs a flag inside a vm.Script on Node 20.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __cutoverImportHook) {${source}\n})`,
    { filename: file, cachedData },
  );
  const importHook = (specifier) =>
    import(specifier.startsWith('.') ? new URL(specifier, pathToFileURL(file)).href : specifier);
  const mod = { exports: {} };
  script
    .runInThisContext()
    .call(mod.exports, mod.exports, module_.createRequire(file), mod, file, dirname(file), importHook);
  const code = await mod.exports.main(argv);
  // After the run, so that the functions it compiled on the way are in the cache too; and only
  // after a run that went the whole way (exit 0, not a dry run): a refused, failed or planned
  // one compiled only part of the path, and its cache, written once, would leave every later
  // rollback compiling the rest.
  const whole = code === 0 && !argv.includes('--dry-run');
  if (whole && cacheFile && (!cachedData || script.cachedDataRejected))
    writeCache(cacheFile, script.createCachedData());
  return code;
}

exports.runBundled = runBundled;

/** Per user, Node version and build of the bundle (its size and time). */
function cachePath(name, file) {
  try {
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    const { size, mtimeMs } = statSync(file);
    const key = `${name}-${process.version}-${process.arch}-${size}-${Math.round(mtimeMs)}`;
    return join(base, 'cutover', 'v8', `${key}.bin`);
  } catch {
    return undefined;
  }
}

function readOptional(path) {
  try {
    return path ? readFileSync(path) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(path, data) {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // The caches of older builds and Nodes of this bundle go: one file per bundle at a time.
    const bundle = basename(path).split('-')[0];
    for (const old of readdirSync(dirname(path)))
      if (old.startsWith(`${bundle}-`) && old !== basename(path))
        rmSync(join(dirname(path), old), { force: true });
    // Whole or not at all: another run may read it at the same moment.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // A read-only home or a full disk: the next run compiles again, as Node 20 always did.
  }
}
