// Where `cutover local …` keeps its state when --state-dir is not given (relative to the cwd).
export const DEFAULT_STATE_DIR = '.cutover/local';
