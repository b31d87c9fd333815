// Which CI variables become a color's settings: every variable named `<prefix><COLOR>_<KEY>`
// (e.g. CUTOVER_ENV_BLUE_DB_PASSWORD → DB_PASSWORD in the blue Secret), from the environment and,
// on GitHub Actions, from the JSON of the job's secrets (CUTOVER_CI_SECRETS, see docs/ci/github.md),
// which GitHub does not put in the environment by itself. Pure: no I/O, values never logged.
import type { Color } from '../../config/types.js';
import { InputError } from '../../errors.js';

/** Env var holding `${{ toJSON(secrets) }}` on GitHub Actions. */
export const CI_SECRETS_JSON = 'CUTOVER_CI_SECRETS';

export function colorPrefix(prefix: string, color: Color): string {
  return `${prefix}${color.toUpperCase()}_`;
}

function ciSecretsJson(env: Record<string, string | undefined>): Record<string, string> {
  const text = env[CI_SECRETS_JSON];
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The message of a JSON.parse error can quote the text, which holds secrets: drop it.
    throw new InputError(`${CI_SECRETS_JSON} is not valid JSON`, {
      cause: new Error('JSON parse error (details withheld: the text holds secrets)'),
      remedy: `set it to \${{ toJSON(secrets) }} in the workflow step's env`,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError(`${CI_SECRETS_JSON} is not a JSON object`, {
      remedy: `set it to \${{ toJSON(secrets) }}`,
    });
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Secret data keys, as Kubernetes allows them and as env var names the app can read. */
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The settings for one color, keys sorted. The environment wins over CUTOVER_CI_SECRETS when both
 * name a variable (a job-level env var overrides a stored secret, as in the CI itself).
 */
export function collectSettings(
  env: Record<string, string | undefined>,
  prefix: string,
  color: Color,
): Record<string, string> {
  const full = colorPrefix(prefix, color);
  const merged: Record<string, string> = { ...ciSecretsJson(env) };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== CI_SECRETS_JSON) merged[k] = v;
  const out: Record<string, string> = {};
  for (const name of Object.keys(merged).sort()) {
    if (!name.startsWith(full)) continue;
    const key = name.slice(full.length);
    if (!KEY_RE.test(key)) {
      throw new InputError(
        `variable ${name} gives the setting name "${key}", which is not a valid variable name`,
        {
          remedy: `name it ${full}<NAME> with NAME made of letters, digits and _`,
        },
      );
    }
    out[key] = merged[name];
  }
  return out;
}
