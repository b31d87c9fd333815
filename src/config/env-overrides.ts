// CUTOVER_* environment variables that override cutover.yaml. Only these are read: an
// allow-list, so a stray variable in a CI runner cannot change a release in surprising ways.
import { InputError } from '../errors.js';

interface Override {
  field: string;
  type: 'string' | 'integer';
}

export const ENV_OVERRIDES: Record<string, Override> = {
  CUTOVER_NAMESPACE: { field: 'namespace', type: 'string' },
  CUTOVER_IMAGE: { field: 'image', type: 'string' },
  CUTOVER_REPLICAS: { field: 'replicas', type: 'integer' },
  CUTOVER_GATEWAY_URL: { field: 'gatewayUrl', type: 'string' },
  CUTOVER_DRAIN_SECONDS: { field: 'drainSeconds', type: 'integer' },
  CUTOVER_LOCK_TIMEOUT_SECONDS: { field: 'lockTimeoutSeconds', type: 'integer' },
  CUTOVER_LEASE_DURATION_SECONDS: { field: 'leaseDurationSeconds', type: 'integer' },
  CUTOVER_ROLLOUT_TIMEOUT_SECONDS: { field: 'rolloutTimeoutSeconds', type: 'integer' },
  CUTOVER_VERIFY_TIMEOUT_SECONDS: { field: 'verifyTimeoutSeconds', type: 'integer' },
  CUTOVER_OPERATION_TIMEOUT_SECONDS: { field: 'operationTimeoutSeconds', type: 'integer' },
  CUTOVER_MANIFESTS: { field: 'manifests', type: 'string' },
};

/** Returns a copy of the raw config with overrides applied; the result is validated afterwards. */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: Record<string, string | undefined>,
): { config: Record<string, unknown>; applied: string[] } {
  const config = { ...raw };
  const applied: string[] = [];
  for (const [name, o] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    config[o.field] = o.type === 'integer' ? toInteger(name, value) : value;
    applied.push(name);
  }
  return { config, applied };
}

function toInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new InputError(`${name}=${JSON.stringify(value)} is not a whole number`, {
      file: 'environment',
      field: name,
      remedy: `set ${name} to a number such as 30, or unset it`,
    });
  }
  return Number(value.trim());
}
