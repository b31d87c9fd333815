// cutover as a library: the package's `exports` entry (docs/library.md). The same engine
// functions, guards and lock as the CLI; a front end loads a config, connects like kubectl,
// builds a context with a world (`defaultDeps`) and calls one operation.
export * from './engine/index.js';
export { defaultDeps, closeHttpAgents } from './engine/default-deps.js';
export { loadConfig, validateConfig, DEFAULTS } from './config/index.js';
export type { CutoverConfig, Color } from './config/index.js';
export { connect, loadKubeConfig, createKubeClient } from './kube/index.js';
export type { KubeClient, LoadKubeConfigOptions } from './kube/index.js';
export {
  CutoverError,
  OperationFailedError,
  InputError,
  GuardError,
  LockError,
  UnreachableError,
  EXIT_CODES,
  type ErrorKind,
} from './errors.js';
export { PACKAGE_NAME, packageVersion } from './package-root.js';
