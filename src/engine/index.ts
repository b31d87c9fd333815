// The release engine: one function per operation. Front ends (CLI, dashboard) call these only.
export { createContext, type EngineContext, type ContextOptions } from './context.js';
export { deploy, type DeployInput, type DeployResult } from './deploy.js';
export { test, type TestInput, type TestResult } from './test.js';
export { promote, type PromoteInput, type SwitchResult } from './promote.js';
export { rollback, type RollbackInput } from './rollback.js';
export { decommission, type DecommissionInput, type DecommissionResult } from './decommission.js';
export { release, type ReleaseInput, type ReleaseResult } from './release.js';
export { migrate, type MigrateInput, type MigrateResult } from './migrate.js';
export {
  status,
  history,
  describeStatus,
  type StatusResult,
  type HistoryResult,
  type ColorStatus,
} from './status.js';
export type { HistoryEntry } from './history.js';
export type { EngineDeps, EngineLog, StepEvent } from './deps.js';
export type { StepRecord } from './steps.js';
