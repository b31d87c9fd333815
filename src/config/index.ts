// cutover.yaml: types, defaults, JSON Schema validation, CUTOVER_* overrides.
export { loadConfig, validateConfig } from './load.js';
export { DEFAULTS, DEFAULT_COOKIE_REGEX, cookieRegex, defaultGatewayName } from './defaults.js';
export { ENV_OVERRIDES } from './env-overrides.js';
export { CONFIG_SCHEMA } from './schema.js';
export { COLORS } from './types.js';
export type * from './types.js';
